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
    /// The published rows are marked in one statement after the batch (in the claiming transaction on
    /// PostgreSQL, in one short write transaction on SQLite); a crash before that republishes them, which
    /// consumers' inboxes absorb.
    @discardableResult
    public func publishPending() async throws -> Int {
        let outcome: BatchOutcome
        switch database.engine {
        case .postgres:
            outcome = try await database.transaction { db in
                let outcome = await publish(try await claim(db))
                try await record(outcome, in: db)
                return outcome
            }
        case .sqlite:
            let rows = try await database.read { db in try await claim(db) }
            outcome = await publish(rows)
            if !outcome.published.isEmpty || outcome.failure != nil {
                try await database.transaction { db in try await record(outcome, in: db) }
            }
        }
        if outcome.published.isEmpty, let failure = outcome.failure { throw failure }
        return outcome.published.count
    }

    private struct BatchOutcome: Sendable {
        var published: [String] = []
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

    /// Publishes `envelopes` in order until one fails.
    private func publish(_ envelopes: [EventEnvelope]) async -> BatchOutcome {
        var outcome = BatchOutcome()
        for envelope in envelopes {
            do {
                try await transport.publish(envelope)
                outcome.published.append(envelope.id)
            } catch {
                outcome.failure = RelayFailure(eventID: envelope.id, description: String(describing: error))
                break
            }
        }
        return outcome
    }

    /// Marks the published rows and counts the failed attempt, in `db`.
    private func record(_ outcome: BatchOutcome, in db: any SQLDatabase) async throws {
        if !outcome.published.isEmpty {
            try await db.raw(
                """
                UPDATE outbox SET published_at = \(bind: Date().microsecondsSince1970)
                WHERE id IN (\(binds: outcome.published))
                """
            ).run()
        }
        if let failure = outcome.failure {
            try await db.raw(
                """
                UPDATE outbox SET attempts = attempts + 1, last_error = \(bind: failure.description)
                WHERE id = \(bind: failure.eventID)
                """
            ).run()
        }
    }
}
