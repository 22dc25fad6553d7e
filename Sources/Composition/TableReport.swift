import Foundation
import ServiceKit
import Storage

/// `sprocket reconcile`'s account of a database's tables: rows and bytes of each, and for the plumbing
/// tables retention prunes, the oldest row against its window (a warning when the sweep falls behind).
public struct TableReport: Sendable {
    public let service: ServiceName
    public let sizes: [TableSize]
    /// Pruned table name → (age of its oldest prunable row, its window).
    public let retention: [String: (age: Duration, window: Duration)]

    public static func read(_ service: ServiceName, _ database: Database, now: Date = Date()) async throws
        -> TableReport
    {
        var retention: [String: (age: Duration, window: Duration)] = [:]
        for table in PrunedTable.all {
            let oldest = try await database.read { db in try await table.oldestRow(engine: database.engine, in: db) }
            let age = oldest.map { Duration.seconds(max(0, Int64(now.timeIntervalSince($0)))) } ?? .zero
            retention[table.name] = (age, table.window(of: database.retention))
        }
        return TableReport(service: service, sizes: try await database.tableSizes(), retention: retention)
    }

    /// The tables whose oldest row is well past its window: the window and half of it again, and at least
    /// three sweeps.
    public var behind: [String] {
        retention.filter { _, entry in
            entry.age > entry.window + max(entry.window / 2, .seconds(180))
        }.keys.sorted()
    }

    /// One line per table: `orders.outbox  1,204 rows  512 KiB  oldest 2h (kept 7d)`.
    public var lines: [String] {
        sizes.map { size in
            var line = "\(service.rawValue).\(size.table)".padding(toLength: 40, withPad: " ", startingAt: 0)
            line += " \(size.rows) rows"
            if let bytes = size.bytes { line += ", \(bytes >> 10) KiB" }
            if let entry = retention[size.table] {
                line += ", oldest \(Self.text(entry.age)) (kept \(Self.text(entry.window)))"
                if behind.contains(size.table) { line += "  WARNING: retention is behind" }
            }
            return line
        }
    }

    static func text(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        switch seconds {
        case ..<120: return "\(seconds)s"
        case ..<7_200: return "\(seconds / 60)m"
        case ..<172_800: return "\(seconds / 3_600)h"
        default: return "\(seconds / 86_400)d"
        }
    }
}
