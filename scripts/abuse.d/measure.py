"""What an attack costs the process and the other clients: an ordinary client's latency, RSS and CPU.

A probe thread sends `GET /api/v1/parts/{sku}` every 20 ms on one kept-alive connection from 127.0.0.1
and records each latency; a sampler thread reads the server processes' RSS and CPU time from /proc
every 100 ms. Attacks mark their phases; the report is taken per phase.
"""
import http.client
import os
import threading
import time


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Probe(threading.Thread):
    """An ordinary client reading one part, 50 times a second."""

    def __init__(self, host, port, path):
        super().__init__(daemon=True)
        self.host, self.port, self.path = host, port, path
        self.samples = []  # (time, milliseconds or None for a failure)
        self.stopped = threading.Event()

    def run(self):
        connection = None
        while not self.stopped.is_set():
            started = time.monotonic()
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
                connection.request("GET", self.path)
                response = connection.getresponse()
                response.read()
                elapsed = (time.monotonic() - started) * 1000
                self.samples.append((started, elapsed if response.status == 200 else None))
            except (OSError, http.client.HTTPException):
                self.samples.append((started, None))
                connection = None
            time.sleep(0.02)

    def between(self, start, end):
        return [value for moment, value in self.samples if start <= moment < end]


class Sampler(threading.Thread):
    """RSS (MiB) and CPU seconds of each server process, ten times a second."""

    def __init__(self, pids):
        super().__init__(daemon=True)
        self.pids = pids
        self.samples = []  # (time, {pid: (rss_mib, cpu_seconds)})
        self.stopped = threading.Event()
        self.ticks = os.sysconf("SC_CLK_TCK")

    def read(self, pid):
        try:
            with open(f"/proc/{pid}/status") as status:
                rss = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
                cpu = (int(fields[11]) + int(fields[12])) / self.ticks
            return rss, cpu
        except (OSError, StopIteration, ValueError):
            return None

    def run(self):
        while not self.stopped.is_set():
            self.samples.append((time.monotonic(), {pid: self.read(pid) for pid in self.pids}))
            time.sleep(0.1)

    def alive(self):
        return all(self.read(pid) is not None for pid in self.pids)

    def rss(self, start, end):
        """Each process's RSS samples between two moments."""
        found = {pid: [] for pid in self.pids}
        for moment, values in self.samples:
            if start <= moment < end:
                for pid, value in values.items():
                    if value:
                        found[pid].append(value[0])
        return found

    def cpu_percent(self, start, end):
        """All processes' CPU use between two moments, in percent of one core."""
        inside = [(moment, values) for moment, values in self.samples if start <= moment < end]
        if len(inside) < 2:
            return float("nan")
        (t0, first), (t1, last) = inside[0], inside[-1]
        used = sum(last[pid][1] - first[pid][1] for pid in self.pids if first.get(pid) and last.get(pid))
        return 100 * used / max(t1 - t0, 1e-6)
