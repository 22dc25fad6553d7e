import Foundation
import SQLKit
import Storage

/// Writes events into a service's `outbox` table, inside the caller's business transaction.
///
/// Nothing is published here: the ``OutboxRelay`` publishes committed rows later. If the transaction
/// rolls back, the event never existed; if it commits, the event will be published, even across a
/// crash, at least once.
public enum Outbox {
    /// Appends `envelope` to the outbox in `db`, which must be the caller's open transaction.
    public static func append(_ envelope: EventEnvelope, in db: any SQLDatabase) async throws {
        let data = String(decoding: envelope.data, as: UTF8.self)
        try await db.raw(
            """
            INSERT INTO outbox (id, source, type, subject, time, data, traceparent)
            VALUES (\(bind: envelope.id), \(bind: envelope.source), \(bind: envelope.type), \(bind: envelope.subject),
                    \(bind: envelope.time.microsecondsSince1970), \(bind: data), \(bind: envelope.traceparent))
            """
        ).run()
    }

    /// Encodes `payload` as an event of `type` from `source` and appends it in `db`.
    public static func append(
        type: String, source: String, subject: String?, payload: some Encodable, in db: any SQLDatabase
    ) async throws {
        try await append(EventEnvelope(source: source, type: type, subject: subject, payload: payload), in: db)
    }

    /// Rows not yet published, oldest first (for operators and tests).
    public static func pendingCount(in database: Database) async throws -> Int {
        try await database.read { db in
            let row = try await db.raw("SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL").first()
            return try row?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    static func envelope(from row: any SQLRow) throws -> EventEnvelope {
        EventEnvelope(
            id: try row.decode(column: "id", as: String.self),
            source: try row.decode(column: "source", as: String.self),
            type: try row.decode(column: "type", as: String.self),
            time: Date(microsecondsSince1970: try row.decode(column: "time", as: Int64.self)),
            subject: try row.decode(column: "subject", as: String?.self),
            data: Data(try row.decode(column: "data", as: String.self).utf8),
            traceparent: try row.decode(column: "traceparent", as: String?.self)
        )
    }
}
