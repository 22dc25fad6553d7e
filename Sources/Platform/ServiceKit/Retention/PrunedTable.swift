import Foundation
import SQLKit
import Messaging
import Storage

/// A plumbing table the retention sweep prunes: which rows are past their window, and how old the oldest
/// of the rows it will prune is.
public struct PrunedTable: Sendable {
    /// The table's name.
    public let name: String
    /// The columns that identify a row.
    let key: [String]
    /// The column with the row's time (microseconds since 1970), from which its window runs, on an engine.
    let timeColumn: @Sendable (Engine) -> String
    /// Rows that are never pruned whatever their age (an unpublished outbox row, a running request), on
    /// an engine.
    let keepCondition: @Sendable (Engine) -> String?
    /// Its window in `policy`.
    let window: @Sendable (RetentionPolicy) -> Duration

    /// Published outbox rows, from the moment they were published (on SQLite, which keeps no such moment,
    /// from their event's: see ``Outbox/pending(_:)``). Unpublished and parked rows stay.
    public static let outbox = PrunedTable(
        name: "outbox", key: ["seq"],
        timeColumn: { $0 == .postgres ? "published_at" : "time" },
        keepCondition: { $0 == .postgres ? nil : Outbox.pending($0) }, window: { $0.outbox })
    /// Consumed event ids, from the moment they were received.
    public static let inbox = PrunedTable(
        name: "inbox", key: ["consumer", "event_id"], timeColumn: { _ in "received_at" }, keepCondition: { _ in nil },
        window: { $0.inbox })
    /// Idempotency keys, from their first use; a request still running keeps its key.
    public static let idempotencyKeys = PrunedTable(
        name: "idempotency_keys", key: ["scope", "key"], timeColumn: { _ in "created_at" },
        keepCondition: { _ in "state = 'running'" }, window: { $0.idempotencyKeys })

    /// Every table the sweep prunes, in every service database.
    public static let all: [PrunedTable] = [.outbox, .inbox, .idempotencyKeys]

    /// Deletes at most `limit` of the oldest rows older than `cutoff` (µs), in the transaction `db` on
    /// `engine`; the number deleted. (`published_at IS NULL` never compares below a cutoff: unpublished
    /// outbox rows stay.)
    func prune(before cutoff: Int64, limit: Int, engine: Engine, in db: any SQLDatabase) async throws -> Int {
        let keys = key.joined(separator: ", ")
        let keep = keepCondition(engine).map { " AND NOT (\($0))" } ?? ""
        let timeColumn = timeColumn(engine)
        let row = key.count == 1 ? keys : "(\(keys))"
        let deleted = try await db.raw(
            """
            DELETE FROM \(unsafeRaw: name) WHERE \(unsafeRaw: row) IN (
                SELECT \(unsafeRaw: keys) FROM \(unsafeRaw: name)
                WHERE \(unsafeRaw: timeColumn) < \(bind: cutoff)\(unsafeRaw: keep)
                ORDER BY \(unsafeRaw: timeColumn) LIMIT \(bind: limit))
            RETURNING \(unsafeRaw: key[0])
            """
        ).all()
        return deleted.count
    }

    /// Its window in `policy`.
    public func window(of policy: RetentionPolicy) -> Duration { window(policy) }

    /// The time of the oldest row the sweep would prune once past its window, if any, in `db` on `engine`.
    public func oldestRow(engine: Engine, in db: any SQLDatabase) async throws -> Date? {
        let keep = keepCondition(engine).map { " AND NOT (\($0))" } ?? ""
        let timeColumn = timeColumn(engine)
        let micros = try await db.raw(
            """
            SELECT min(\(unsafeRaw: timeColumn)) AS oldest FROM \(unsafeRaw: name)
            WHERE \(unsafeRaw: timeColumn) IS NOT NULL\(unsafeRaw: keep)
            """
        ).first()?.decode(column: "oldest", as: Int64?.self)
        return micros.map { Date(timeIntervalSince1970: Double($0) / 1_000_000) }
    }
}
