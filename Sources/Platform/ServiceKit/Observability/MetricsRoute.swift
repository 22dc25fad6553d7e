import Foundation
import Hummingbird
import Messaging
import Metrics
import Storage

/// `GET /metrics`: the process's metrics in Prometheus' text format. Gauges that are cheaper to read when
/// asked than to keep up to date are read then: each database's outbox backlog and the age of its oldest
/// row, the age of the oldest row retention prunes in each plumbing table with its window, the stalled
/// background loops, and the process's memory (with the budget it plans for), CPU,
/// threads and open files.
public enum MetricsRoute {
    public static func add<Context: RequestContext>(
        to router: Router<Context>, databases: [String: Database], loops: LoopMonitor? = nil,
        memoryBudgetMiB: Int? = nil
    ) {
        ProcessMetrics.bootstrap()
        router.get("/metrics") { _, _ in
            for (_, database) in databases.sorted(by: { $0.key < $1.key }) {
                guard let backlog = try? await Outbox.backlog(in: database) else { continue }
                let dimensions = [("database", database.name)]
                Gauge(label: "sprocket_outbox_pending", dimensions: dimensions).record(Double(backlog.count))
                Gauge(label: "sprocket_outbox_oldest_pending_age_seconds", dimensions: dimensions)
                    .record(backlog.oldest.map { max(0, Date().timeIntervalSince($0)) } ?? 0)
                await RetentionSweep.recordGauges(for: database)
            }
            if let loops { Gauge(label: "sprocket_stalled_loops").record(Double(loops.stalls().count)) }
            if let memoryBudgetMiB {
                Gauge(label: "sprocket_memory_budget_bytes").record(Double(memoryBudgetMiB << 20))
            }
            ProcessMetrics.recordProcess()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: ProcessMetrics.registry.emitToBuffer())))
        }
    }
}
