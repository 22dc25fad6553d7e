#!/usr/bin/env python3
"""The network between regions, on loopback: TCP proxies that hold every byte for a one-way delay in
each direction, and can cut a link.

usage: delay.py DELAY_MS CONTROL_DIR LINK:LISTEN_PORT:TARGET_PORT ...

Each LINK (e.g. chicago-pg) forwards 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT. Bytes keep their
order and are sent DELAY_MS after they arrived. While CONTROL_DIR/cut-REGION exists, every link whose
name starts with REGION- is cut: its connections are closed and new ones are closed as soon as they
are accepted (the far side sees the link as down; nothing half-delivered is kept). It runs until killed.
"""
import asyncio
import os
import sys
import time

DELAY = int(sys.argv[1]) / 1000.0
CONTROL = sys.argv[2]
LINKS = [spec.split(":") for spec in sys.argv[3:]]
open_writers = {}  # link name -> set of writers


def is_cut(link):
    region = link.split("-", 1)[0]
    return os.path.exists(os.path.join(CONTROL, f"cut-{region}"))


async def pump(reader, writer, link):
    """Copies reader to writer, each chunk DELAY seconds after it arrived, in order."""
    queue = asyncio.Queue()

    async def send():
        while True:
            due, chunk = await queue.get()
            if chunk is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(chunk)
            await writer.drain()
        writer.close()

    sender = asyncio.ensure_future(send())
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            await queue.put((time.monotonic() + DELAY, chunk))
    except (ConnectionError, OSError):
        pass
    await queue.put((time.monotonic() + DELAY, None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


def serve(link, target):
    async def handle(client_reader, client_writer):
        if is_cut(link):
            client_writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", int(target))
        except OSError:
            client_writer.close()
            return
        writers = open_writers.setdefault(link, set())
        writers.update([client_writer, upstream_writer])
        await asyncio.gather(
            pump(client_reader, upstream_writer, link), pump(upstream_reader, client_writer, link),
            return_exceptions=True)
        writers.difference_update([client_writer, upstream_writer])

    return handle


async def watch_cuts():
    while True:
        for link, writers in open_writers.items():
            if is_cut(link):
                for writer in list(writers):
                    transport = writer.transport
                    if transport is not None:
                        transport.abort()
                writers.clear()
        await asyncio.sleep(0.05)


async def main():
    for link, listen, target in LINKS:
        await asyncio.start_server(serve(link, target), "127.0.0.1", int(listen))
    print("delay proxies up:", " ".join(f"{l}:{p}->{t}" for l, p, t in LINKS), flush=True)
    await watch_cuts()


asyncio.run(main())
