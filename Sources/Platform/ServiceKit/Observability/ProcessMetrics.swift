import CoreMetrics
import Foundation
import Prometheus
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The process's metrics: one Prometheus registry behind swift-metrics, so what every part records with
/// swift-metrics (requests, transactions, events, Hummingbird's own) is on `/metrics`.
public enum ProcessMetrics {
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = Mutex(false)

    /// Points swift-metrics at ``registry``: once per process (later calls do nothing; tests build many
    /// systems in one process).
    public static func bootstrap() {
        bootstrapped.withLock { done in
            guard !done else { return }
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultDurationHistogramBuckets = [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2),
                .seconds(5), .seconds(10), .seconds(30), .seconds(60),
            ]
            // Counts (how many transactions a SQLite commit held).
            factory.defaultValueHistogramBuckets = [1, 2, 4, 8, 16, 32, 64]
            MetricsSystem.bootstrap(factory)
            done = true
        }
    }

    /// Memory, CPU, threads and open files of this process, from /proc, as gauges.
    static func recordProcess() {
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ").compactMap { Double($0) }
            if fields.count > 1 {
                Gauge(label: "process_virtual_memory_bytes").record(fields[0] * page)
                Gauge(label: "process_resident_memory_bytes").record(fields[1] * page)
            }
        }
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            // Fields after the command: state is 3rd overall, utime 14th, stime 15th, threads 20th.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            if fields.count > 17, let user = Double(fields[11]), let system = Double(fields[12]),
                let threads = Double(fields[17])
            {
                Gauge(label: "process_cpu_seconds_total").record((user + system) / ticks)
                Gauge(label: "process_threads").record(threads)
            }
        }
        if let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            Gauge(label: "process_open_fds").record(Double(descriptors.count))
        }
    }
}
