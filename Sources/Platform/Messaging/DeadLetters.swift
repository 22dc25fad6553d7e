import Foundation
import SQLKit
import Storage

/// An event a consumer gave up on, with the last error.
public struct DeadLetter: Sendable, Equatable {
    public let seq: Int
    public let consumer: String
    public let eventID: String
    public let type: String
    public let error: String
    public let attempts: Int
    public let failedAt: Date
    public let redrivenAt: Date?
}

/// The `dead_letters` table of a service database: listing and replaying given-up events.
public enum DeadLetters {
    static func record(
        _ envelope: EventEnvelope, consumer: String, error: String, attempts: Int, in db: any SQLDatabase
    ) async throws {
        let document = String(decoding: try envelope.jsonData(), as: UTF8.self)
        try await db.raw(
            """
            INSERT INTO dead_letters (consumer, event_id, type, envelope, error, attempts, failed_at)
            VALUES (\(bind: consumer), \(bind: envelope.id), \(bind: envelope.type), \(bind: document),
                    \(bind: error), \(bind: attempts), \(bind: Date().microsecondsSince1970))
            """
        ).run()
        try await db.raw(
            """
            INSERT INTO inbox (consumer, event_id, received_at)
            VALUES (\(bind: consumer), \(bind: envelope.id), \(bind: Date().microsecondsSince1970))
            ON CONFLICT DO NOTHING
            """
        ).run()
        try await db.raw(
            "DELETE FROM delivery_attempts WHERE consumer = \(bind: consumer) AND event_id = \(bind: envelope.id)"
        ).run()
    }

    /// Dead letters not yet redriven, oldest first (at most `limit`).
    public static func list(in database: Database, limit: Int = 1_000) async throws -> [DeadLetter] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT seq, consumer, event_id, type, error, attempts, failed_at, redriven_at
                FROM dead_letters WHERE redriven_at IS NULL ORDER BY seq LIMIT \(bind: limit)
                """
            ).all().map { row in
                DeadLetter(
                    seq: try row.decode(column: "seq", as: Int.self),
                    consumer: try row.decode(column: "consumer", as: String.self),
                    eventID: try row.decode(column: "event_id", as: String.self),
                    type: try row.decode(column: "type", as: String.self),
                    error: try row.decode(column: "error", as: String.self),
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    failedAt: Date(microsecondsSince1970: try row.decode(column: "failed_at", as: Int64.self)),
                    redrivenAt: try row.decode(column: "redriven_at", as: Int64?.self).map(
                        Date.init(microsecondsSince1970:))
                )
            }
        }
    }

    /// Replays the dead letter `seq` through `consumer` (whose name must match); `false` when there is
    /// no such unredriven letter.
    ///
    /// The replay is one transaction: the inbox row written when the event was given up is removed, the
    /// handler runs, and the letter is marked redriven, together. If the handler fails again, nothing of
    /// that happens: the letter stays (with the new error and one more attempt) and the error is thrown.
    @discardableResult
    public static func redrive(seq: Int, through consumer: EventConsumer) async throws -> Bool {
        let row = try await consumer.database.read { db in
            try await db.raw(
                """
                SELECT envelope FROM dead_letters
                WHERE seq = \(bind: seq) AND consumer = \(bind: consumer.name) AND redriven_at IS NULL
                """
            ).first()
        }
        guard let row else { return false }
        let envelope = try EventEnvelope(jsonData: Data(try row.decode(column: "envelope", as: String.self).utf8))
        do {
            try await consumer.apply(envelope, redriving: seq)
        } catch {
            try await consumer.database.transaction { db in
                try await db.raw(
                    """
                    UPDATE dead_letters SET attempts = attempts + 1, error = \(bind: String(describing: error)),
                        failed_at = \(bind: Date().microsecondsSince1970)
                    WHERE seq = \(bind: seq)
                    """
                ).run()
            }
            throw error
        }
        return true
    }
}
