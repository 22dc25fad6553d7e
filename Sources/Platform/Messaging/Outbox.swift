import Foundation
import IntegrationEvents
import SQLKit
import Storage

/// An outbox row the relay stopped trying: the transport refused it again and again while it accepted others.
public struct ParkedEvent: Sendable, Equatable {
    public let seq: Int
    public let eventID: String
    public let type: String
    public let attempts: Int
    public let error: String
    public let parkedAt: Date
}

/// Writes events into a service's `outbox` table, inside the caller's business transaction.
///
/// Nothing is published here: the ``OutboxRelay`` publishes committed rows later. If the transaction
/// rolls back, the event never existed; if it commits, the event will be published, even across a
/// crash, at least once.
public enum Outbox {
    /// Appends `envelope` to the outbox in `db`, which must be the caller's open transaction.
    public static func append(_ envelope: EventEnvelope, in db: any SQLDatabase) async throws {
        try await db.raw(insertion(of: envelope)).run()
    }

    /// The statement that appends `envelope`, to run in the transaction (or the one statement) that
    /// makes the change it tells of.
    public static func insertion(of envelope: EventEnvelope) -> SQLQueryString {
        """
        INSERT INTO outbox (id, source, type, subject, time, data, traceparent, schema_version)
        VALUES (\(bind: envelope.id), \(bind: envelope.source), \(bind: envelope.type), \(bind: envelope.subject),
                \(bind: envelope.time.microsecondsSince1970), \(bind: String(decoding: envelope.data, as: UTF8.self)),
                \(bind: envelope.traceparent), \(bind: envelope.schemaVersion))
        """
    }

    /// Appends `envelopes` in their order with one statement (an import's thousands of events), in `db`,
    /// which must be the caller's open transaction on an `engine` database.
    public static func append(_ envelopes: [EventEnvelope], engine: Engine, in db: any SQLDatabase) async throws {
        guard !envelopes.isEmpty else { return }
        var rows = JSONRows(columns: [
            ("o", "BIGINT"), ("id", "TEXT"), ("source", "TEXT"), ("type", "TEXT"), ("subject", "TEXT"),
            ("time", "BIGINT"), ("data", "TEXT"), ("traceparent", "TEXT"), ("schema_version", "BIGINT"),
        ])
        for (index, envelope) in envelopes.enumerated() {
            rows.append([
                .integer(Int64(index)), .text(envelope.id), .text(envelope.source), .text(envelope.type),
                .text(envelope.subject), .integer(envelope.time.microsecondsSince1970),
                .text(String(decoding: envelope.data, as: UTF8.self)), .text(envelope.traceparent),
                .integer(Int64(envelope.schemaVersion)),
            ])
        }
        // Ordered, so that the rows' sequence numbers (the relay's publishing order) follow the array.
        try await db.raw(
            """
            INSERT INTO outbox (id, source, type, subject, time, data, traceparent, schema_version)
            SELECT v.id, v.source, v.type, v.subject, v.time, v.data, v.traceparent, v.schema_version
            FROM \(rows.source(engine, alias: "v")) ORDER BY v.o
            """
        ).run()
    }

    /// Appends `event` (its type, source and subject from its contract type) in `db`, which must be
    /// the caller's open transaction.
    public static func append<Event: IntegrationEvent>(_ event: Event, in db: any SQLDatabase) async throws {
        try await append(
            EventEnvelope(
                source: Event.source, type: Event.type, subject: event.subject, payload: event,
                schemaVersion: Event.schemaVersion),
            in: db)
    }

    /// How many rows wait to be published (parked ones included).
    public static func pendingCount(in database: Database) async throws -> Int {
        try await database.read { db in
            let row = try await db.raw(
                "SELECT COUNT(*) AS n FROM outbox WHERE \(unsafeRaw: pending(database.engine))"
            ).first()
            return try row?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// The rows waiting to be published (parked ones included) and when the oldest of them happened.
    public static func backlog(in database: Database) async throws -> (count: Int, oldest: Date?) {
        try await database.read { db in
            let row = try await db.raw(
                "SELECT COUNT(*) AS n, MIN(time) AS oldest FROM outbox WHERE \(unsafeRaw: pending(database.engine))"
            ).first()
            let oldest = try row?.decode(column: "oldest", as: Int64?.self)
            return (
                try row?.decode(column: "n", as: Int.self) ?? 0,
                oldest.map { Date(microsecondsSince1970: $0) }
            )
        }
    }

    /// Rows the relay gave up on (see ``OutboxRelay``), oldest first.
    public static func parked(in database: Database, limit: Int = 1_000) async throws -> [ParkedEvent] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT seq, id, type, attempts, last_error, parked_at FROM outbox
                WHERE \(unsafeRaw: pending(database.engine)) AND parked_at IS NOT NULL ORDER BY seq LIMIT \(bind: limit)
                """
            ).all().map { row in
                ParkedEvent(
                    seq: try row.decode(column: "seq", as: Int.self),
                    eventID: try row.decode(column: "id", as: String.self),
                    type: try row.decode(column: "type", as: String.self),
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    error: try row.decode(column: "last_error", as: String?.self) ?? "",
                    parkedAt: Date(microsecondsSince1970: try row.decode(column: "parked_at", as: Int64.self)))
            }
        }
    }

    /// Puts the parked row `eventID` (or every parked row) back in line for the relay; returns how many.
    @discardableResult
    public static func unpark(_ eventID: String?, in database: Database) async throws -> Int {
        try await database.transaction { db in
            let only: SQLQueryString = eventID.map { "AND id = \(bind: $0)" } ?? ""
            let rows = try await db.raw(
                """
                UPDATE outbox SET parked_at = NULL, attempts = 0, first_failed_at = NULL
                WHERE \(unsafeRaw: pending(database.engine)) AND parked_at IS NOT NULL \(only) RETURNING seq
                """
            ).all()
            return rows.count
        }
    }

    /// The condition that an outbox row still waits to be published (parked rows included) on `engine`.
    ///
    /// PostgreSQL: its `published_at` is null; the relay sets it in the transaction that claimed (and
    /// locked) the row. SQLite: its `seq` is in `outbox_pending`, which a trigger fills as rows are
    /// inserted and the relay empties as it publishes them (``MessagingSchema``, version 6): setting
    /// `published_at` rewrote each row whole, payload and all, and a pass's 1,000 rows held the database's
    /// one writer for 10–20 ms while requests waited behind it.
    public static func pending(_ engine: Engine) -> String {
        switch engine {
        case .postgres: "published_at IS NULL"
        case .sqlite: "seq IN (SELECT seq FROM outbox_pending)"
        }
    }

    /// The condition that an outbox row was published, on `engine` (see ``pending(_:)``).
    public static func published(_ engine: Engine) -> String { "NOT (\(pending(engine)))" }

    /// Records the outbox rows `seqs` as published at `now` (µs), in `db`, a transaction on `engine`.
    public static func markPublished(_ seqs: [Int], at now: Int64, engine: Engine, in db: any SQLDatabase)
        async throws
    {
        guard !seqs.isEmpty else { return }
        switch engine {
        case .postgres:
            try await db.raw("UPDATE outbox SET published_at = \(bind: now) WHERE seq IN (\(binds: seqs))").run()
        case .sqlite:
            try await db.raw("DELETE FROM outbox_pending WHERE seq IN (\(binds: seqs))").run()
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
            traceparent: try row.decode(column: "traceparent", as: String?.self),
            schemaVersion: try row.decode(column: "schema_version", as: Int.self)
        )
    }
}

extension EventEnvelope {
    /// The envelope of `event`, with its contract's type, source and subject.
    public init<Event: IntegrationEvent>(_ event: Event) throws {
        try self.init(
            source: Event.source, type: Event.type, subject: event.subject, payload: event,
            schemaVersion: Event.schemaVersion)
    }
}
