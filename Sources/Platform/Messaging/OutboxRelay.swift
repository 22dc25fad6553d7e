import Foundation
import Logging
import SQLKit
import ServiceLifecycle
import Storage

/// Publishes a service's committed outbox rows through a ``Transport``, oldest first.
///
/// A row is marked published only after the transport accepted it; a failure stops the batch (to
/// keep order) and the relay retries with growing back-off. Several replicas may run against one
/// PostgreSQL database: rows are claimed with `FOR UPDATE SKIP LOCKED`, so each is published by one.
/// Runs until graceful shutdown; a crash at any point leaves unpublished rows for the next start.
public struct OutboxRelay: Service {
    private let database: Database
    private let transport: any Transport
    private let logger: Logger
    private let batchSize: Int
    private let idleInterval: Duration

    public init(
        database: Database, transport: any Transport, logger: Logger, batchSize: Int = 100,
        idleInterval: Duration = .milliseconds(20)
    ) {
        self.database = database
        self.transport = transport
        self.logger = logger
        self.batchSize = batchSize
        self.idleInterval = idleInterval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    let published = try await publishPending()
                    failures = 0
                    if published == 0 { try? await Task.sleep(for: idleInterval) }
                } catch {
                    failures += 1
                    let delay = Duration.milliseconds(min(5_000, 50 << min(failures, 7)))
                    logger.warning(
                        "outbox relay failed; retrying", metadata: ["error": "\(error)", "failures": "\(failures)"])
                    try? await Task.sleep(for: delay)
                }
            }
        }
    }

    /// Publishes one batch of pending rows and returns how many were published.
    ///
    /// Throws when the first row of the batch could not be published; a later failure ends the batch early.
    @discardableResult
    public func publishPending() async throws -> Int {
        let outcome: BatchOutcome
        switch database.engine {
        case .postgres:
            outcome = try await database.transaction { db in
                try await publish(try await claim(db), recordingIn: { _, body in try await body(db) })
            }
        case .sqlite:
            let rows = try await database.read { db in try await claim(db) }
            outcome = try await publish(rows, recordingIn: { _, body in try await database.transaction(body) })
        }
        if outcome.published == 0, let failure = outcome.failure { throw failure }
        return outcome.published
    }

    private struct BatchOutcome: Sendable {
        var published = 0
        var failure: RelayFailure?
    }

    /// Why a row could not be published.
    public struct RelayFailure: Error, CustomStringConvertible, Sendable {
        public let eventID: String
        public let description: String
    }

    private func claim(_ db: any SQLDatabase) async throws -> [EventEnvelope] {
        let rows = try await db.raw(
            """
            SELECT id, source, type, subject, time, data, traceparent FROM outbox
            WHERE published_at IS NULL ORDER BY seq LIMIT \(bind: batchSize) \(unsafeRaw: database.engine.skipLockedClause)
            """
        ).all()
        return try rows.map(Outbox.envelope(from:))
    }

    /// Publishes `envelopes` in order; `write` runs a statement batch where the row is held
    /// (the claiming transaction on PostgreSQL, a short write transaction on SQLite).
    private func publish(
        _ envelopes: [EventEnvelope],
        recordingIn write: (String, (any SQLDatabase) async throws -> Void) async throws -> Void
    ) async throws -> BatchOutcome {
        var outcome = BatchOutcome()
        for envelope in envelopes {
            do {
                try await transport.publish(envelope)
            } catch {
                let message = String(describing: error)
                try await write(envelope.id) { db in
                    try await db.raw(
                        "UPDATE outbox SET attempts = attempts + 1, last_error = \(bind: message) WHERE id = \(bind: envelope.id)"
                    ).run()
                }
                outcome.failure = RelayFailure(eventID: envelope.id, description: message)
                break
            }
            try await write(envelope.id) { db in try await markPublished(envelope.id, in: db) }
            outcome.published += 1
        }
        return outcome
    }

    private func markPublished(_ id: String, in db: any SQLDatabase) async throws {
        try await db.raw(
            "UPDATE outbox SET published_at = \(bind: Date().microsecondsSince1970) WHERE id = \(bind: id)"
        ).run()
    }
}
