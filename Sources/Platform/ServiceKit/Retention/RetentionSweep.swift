import Foundation
import Logging
import Messaging
import Metrics
import Storage

/// The platform's retention: one supervised background loop per database that deletes the plumbing rows
/// past their window (``RetentionPolicy``): published outbox rows, inbox ids, idempotency keys. Business
/// records are never touched.
///
/// It deletes the oldest rows first in batches of ``RetentionPolicy/batchSize``, each batch its own short
/// transaction with a pause after it, so a request never waits long behind it (on SQLite the batch holds
/// the one writer for a few milliseconds). Then, on SQLite, it gives free pages back to the file system
/// when a large delete left many (``Database/reclaimSpace()``). Every deleted row is counted in
/// `sprocket_retention_deleted_total{database,table}`.
public struct RetentionSweep: Sendable {
    public let database: Database
    let tables: [PrunedTable]
    let pause: Duration
    let logger: Logger

    public init(
        database: Database, tables: [PrunedTable] = PrunedTable.all, pause: Duration = .milliseconds(20),
        logger: Logger
    ) {
        self.database = database
        self.tables = tables
        self.pause = pause
        self.logger = logger
    }

    /// One sweep: every table pruned of what is past its window at `now` (or at most `maxBatches` batches
    /// of each), then space reclaimed. Returns the rows deleted by table.
    @discardableResult
    public func sweep(now: Date = Date(), maxBatches: Int = 200) async throws -> [String: Int] {
        let policy = database.retention
        var deleted: [String: Int] = [:]
        for table in tables {
            let cutoff = now.microsecondsSince1970 - table.window(policy).microseconds
            for _ in 0..<maxBatches {
                let count = try await database.transaction(signalling: false) { db in
                    try await table.prune(before: cutoff, limit: policy.batchSize, engine: database.engine, in: db)
                }
                deleted[table.name, default: 0] += count
                if count > 0 {
                    Counter(
                        label: "sprocket_retention_deleted_total",
                        dimensions: [("database", database.name), ("table", table.name)]
                    ).increment(by: count)
                }
                guard count == policy.batchSize else { break }
                try await Task.sleep(for: pause)
            }
        }
        let pages = try await database.reclaimSpace()
        if pages > 0 || deleted.values.contains(where: { $0 >= policy.batchSize }) {
            logger.info(
                "retention sweep",
                metadata: [
                    "database": "\(database.name)", "deleted": "\(deleted)", "pages_given_back": "\(pages)",
                ])
        }
        return deleted
    }

    /// The background loop: a sweep every ``RetentionPolicy/sweepInterval`` until graceful shutdown.
    public func loop(monitor: LoopMonitor?) -> BackgroundLoop {
        BackgroundLoop(
            "\(database.name) retention", monitor: monitor, poll: database.retention.sweepInterval, logger: logger
        ) { _ in
            try await sweep()
            return .idle
        }
    }

    /// Each pruned table's oldest prunable row's age and its window, as gauges
    /// (`sprocket_retention_oldest_age_seconds`, `sprocket_retention_window_seconds`): an age well past the
    /// window means the sweep falls behind.
    public static func recordGauges(for database: Database, now: Date = Date()) async {
        for table in PrunedTable.all {
            let oldest: Date?
            do {
                oldest = try await database.read { db in try await table.oldestRow(engine: database.engine, in: db) }
            } catch { continue }
            let dimensions = [("database", database.name), ("table", table.name)]
            Gauge(label: "sprocket_retention_oldest_age_seconds", dimensions: dimensions)
                .record(oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
            Gauge(label: "sprocket_retention_window_seconds", dimensions: dimensions)
                .record(Double(table.window(database.retention).components.seconds))
        }
    }
}
