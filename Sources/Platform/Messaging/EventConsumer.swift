import Foundation
import Logging
import SQLKit
import Storage

/// Applies one event inside the consumer's transaction; `db` is that transaction.
public typealias EventHandler = @Sendable (EventEnvelope, any SQLDatabase) async throws -> Void

/// A named, durable consumer of some event types, applying each event exactly once to its database.
///
/// Each delivery runs in one transaction that first records `(consumer, event id)` in the inbox; a
/// repeated delivery finds the row and is skipped. A handler failure is counted; after
/// `maxAttempts` failures the event goes to `dead_letters` and is acknowledged, so one poisoned
/// event cannot stop the stream. `sprocket events redrive` replays dead letters.
public struct EventConsumer: Sendable {
    public let name: String
    public let database: Database
    public let maxAttempts: Int
    private let handlers: [String: EventHandler]
    private let logger: Logger

    public init(
        name: String, database: Database, maxAttempts: Int = 5, logger: Logger, handlers: [String: EventHandler]
    ) {
        self.name = name
        self.database = database
        self.maxAttempts = maxAttempts
        self.handlers = handlers
        self.logger = logger
    }

    /// The event types this consumer handles.
    public var types: Set<String> { Set(handlers.keys) }

    /// Registers this consumer with `transport`.
    public func subscribe(to transport: any Transport) async throws {
        try await transport.subscribe(consumer: name, types: types) { envelope in
            try await deliver(envelope)
        }
    }

    /// Applies `envelope` once; throws only when the transport should deliver it again.
    public func deliver(_ envelope: EventEnvelope) async throws {
        guard let handler = handlers[envelope.type] else { return }
        do {
            try await database.transaction { db in
                let claimed = try await db.raw(
                    """
                    INSERT INTO inbox (consumer, event_id, received_at)
                    VALUES (\(bind: name), \(bind: envelope.id), \(bind: Date().microsecondsSince1970))
                    ON CONFLICT DO NOTHING RETURNING event_id
                    """
                ).first()
                guard claimed != nil else { return }
                try await handler(envelope, db)
                try await db.raw(
                    "DELETE FROM delivery_attempts WHERE consumer = \(bind: name) AND event_id = \(bind: envelope.id)"
                ).run()
            }
        } catch {
            try await recordFailure(of: envelope, error: error)
        }
    }

    private func recordFailure(of envelope: EventEnvelope, error: any Error) async throws {
        let message = String(describing: error)
        let attempts = try await database.transaction { db -> Int in
            let row = try await db.raw(
                """
                INSERT INTO delivery_attempts (consumer, event_id, attempts, last_error)
                VALUES (\(bind: name), \(bind: envelope.id), 1, \(bind: message))
                ON CONFLICT (consumer, event_id)
                DO UPDATE SET attempts = delivery_attempts.attempts + 1, last_error = excluded.last_error
                RETURNING attempts
                """
            ).first()
            let attempts = try row?.decode(column: "attempts", as: Int.self) ?? 1
            if attempts >= maxAttempts {
                try await DeadLetters.record(envelope, consumer: name, error: message, attempts: attempts, in: db)
            }
            return attempts
        }
        logger.warning(
            "event handler failed",
            metadata: [
                "consumer": "\(name)", "event": "\(envelope.id)", "type": "\(envelope.type)",
                "attempts": "\(attempts)", "error": "\(message)",
            ]
        )
        if attempts < maxAttempts { throw error }
    }
}
