import Foundation
import Metrics
import Logging
import SQLKit
import ServiceLifecycle
import Storage

/// Publishes a service's committed outbox rows through a ``Transport``, in `seq` order within a batch.
///
/// A row is marked published only after the transport accepted it. A row the transport refuses does
/// not hold back the rows behind it: the relay goes on with them, and counts the refusal against the
/// row only when others in the same batch were accepted (when every row fails, the transport is down:
/// nothing is counted and the relay backs off). A row refused `parkAfter` times over at least
/// `parkWindow` is parked: logged as an error, listed by `sprocket events dead-letters`, and put back
/// by `sprocket events redrive`. Several replicas may run against one PostgreSQL database: rows are
/// claimed with `FOR UPDATE SKIP LOCKED`, so each is published by one (and order holds per relay and
/// batch only; consumers rely on per-entity versions). Runs until graceful shutdown; a crash at any
/// point leaves unpublished rows for the next start.
public struct OutboxRelay: Service {
    private let name: String
    private let database: Database
    private let transport: any Transport
    private let logger: Logger
    private let monitor: LoopMonitor?
    private let batchSize: Int
    private let safetyPoll: Duration
    private let gather: Duration
    private let publishDeadline: Duration
    private let parkAfter: Int
    private let parkWindow: Duration

    /// - Parameters:
    ///   - name: the loop's name in logs and `/health/ready` (e.g. "orders outbox relay").
    ///   - publishDeadline: how long the transport may take to accept a batch's events (a subscriber's
    ///     share of it, in-process) before the relay gives up on them for this pass (whatever the
    ///     transport's own timeouts).
    ///   - safetyPoll: how often an idle relay looks anyway. It wakes at once when a transaction of this
    ///     process commits, and on PostgreSQL when any replica's does (`LISTEN`/`NOTIFY`).
    ///   - gather: how long a pass waits, once woken, for more commits to gather before it claims their
    ///     rows: a pass costs the same few round trips whatever its size, so under load fewer, larger
    ///     passes do the same work for less.
    public init(
        name: String = "outbox relay", database: Database, transport: any Transport, logger: Logger,
        monitor: LoopMonitor? = nil, batchSize: Int = 500, safetyPoll: Duration = .seconds(2), gather: Duration = .zero,
        publishDeadline: Duration = .seconds(10), parkAfter: Int = 10, parkWindow: Duration = .seconds(60)
    ) {
        self.publishDeadline = publishDeadline
        self.name = name
        self.database = database
        self.transport = transport
        self.logger = logger
        self.monitor = monitor
        self.batchSize = batchSize
        self.safetyPoll = safetyPoll
        self.gather = gather
        self.parkAfter = parkAfter
        self.parkWindow = parkWindow
    }

    /// Publishes until graceful shutdown, as a ``BackgroundLoop``; on PostgreSQL a second loop listens
    /// for the outbox's notifications.
    public func run() async throws {
        let database = self.database
        let relay = BackgroundLoop(
            name, monitor: monitor, wakeUp: database.commits, poll: safetyPoll, logger: logger
        ) { [gather] progress in
            if gather > .zero { try? await Task.sleep(for: gather) }
            return try await publishPending(progress: progress) > 0 ? .worked : .idle
        }
        guard let schema = database.schemaName else { return try await relay.run() }
        let channel = MessagingSchema.outboxChannel(schema: schema)
        let listener = BackgroundLoop(
            "\(name) listener", monitor: nil, poll: .seconds(1), logger: logger, passIsAWait: true
        ) { _ in
            try await database.listen(channel) { database.commits.signal() }
            return .idle  // the connection ended: listen again
        }
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await relay.run() }
            group.addTask { try await listener.run() }
        }
    }

    /// Publishes one batch of pending rows and returns how many were published.
    ///
    /// Throws when no row of the batch could be published. The published rows are marked in one
    /// statement after the batch (in the claiming transaction on PostgreSQL, in one short write
    /// transaction on SQLite); a crash before that republishes them, which consumers' inboxes absorb.
    @discardableResult
    public func publishPending(progress: LoopProgress? = nil) async throws -> Int {
        let outcome: PublishOutcome
        switch database.engine {
        case .postgres:
            outcome = try await database.transaction(signalling: false) { db in
                let rows = try await claim(db)
                if let oldest = rows.first { progress?.waiting(since: oldest.envelope.time) }
                let outcome = await publish(rows.map(\.envelope))
                try await record(outcome, of: rows, in: db)
                return outcome
            }
        case .sqlite:
            let rows = try await database.read { db in try await claim(db) }
            if let oldest = rows.first { progress?.waiting(since: oldest.envelope.time) }
            outcome = await publish(rows.map(\.envelope))
            if !outcome.published.isEmpty {
                try await database.transaction(signalling: false) { db in try await record(outcome, of: rows, in: db) }
            }
        }
        let dimensions = [("database", database.name)]
        Counter(label: "sprocket_events_published_total", dimensions: dimensions).increment(by: outcome.published.count)
        Counter(label: "sprocket_publish_failures_total", dimensions: dimensions).increment(by: outcome.failures.count)
        if outcome.published.isEmpty, let failure = outcome.failures.first { throw failure }
        return outcome.published.count
    }

    /// Why a row could not be published.
    public typealias RelayFailure = PublishFailure

    /// The oldest `batchSize` rows waiting to be published and not parked (on PostgreSQL locked for
    /// this transaction, skipping rows another replica holds).
    private func claim(_ db: any SQLDatabase) async throws -> [(seq: Int, envelope: EventEnvelope)] {
        let rows = try await db.raw(
            """
            SELECT seq, id, source, type, subject, time, data, traceparent, schema_version FROM outbox
            WHERE \(unsafeRaw: Outbox.pending(database.engine)) AND parked_at IS NULL
            ORDER BY seq LIMIT \(bind: batchSize) \(unsafeRaw: database.engine.skipLockedClause)
            """
        ).all()
        return try rows.map { (try $0.decode(column: "seq", as: Int.self), try Outbox.envelope(from: $0)) }
    }

    /// Publishes `envelopes` in order, as one batch (``Transport/publish(batch:deadline:)``): the
    /// in-process transport delivers it to every subscriber at once, NATS writes it and then collects the
    /// acks. A transport that does not answer within twice the deadline (it ignored it) is left behind,
    /// the whole batch counted as refused, so the relay goes on.
    private func publish(_ envelopes: [EventEnvelope]) async -> PublishOutcome {
        guard !envelopes.isEmpty else { return PublishOutcome() }
        let (transport, deadline) = (self.transport, publishDeadline)
        do {
            return try await withDeadline(deadline * 2, "publishing \(envelopes.count) events") {
                await transport.publish(batch: envelopes, deadline: deadline)
            }
        } catch {
            var outcome = PublishOutcome()
            outcome.failures = envelopes.map { PublishFailure(eventID: $0.id, description: String(describing: error)) }
            return outcome
        }
    }

    /// Marks the published rows of the claimed `rows`, and counts (and maybe parks) the refused ones, in `db`.
    private func record(
        _ outcome: PublishOutcome, of rows: [(seq: Int, envelope: EventEnvelope)], in db: any SQLDatabase
    ) async throws {
        guard !outcome.published.isEmpty else { return }
        let now = Date().microsecondsSince1970
        let published = Set(outcome.published)
        let seqs = rows.lazy.filter { published.contains($0.envelope.id) }.map(\.seq)
        try await Outbox.markPublished(Array(seqs), at: now, engine: database.engine, in: db)
        let window = parkWindow.components.seconds * 1_000_000
        for failure in outcome.failures {
            let row = try await db.raw(
                """
                UPDATE outbox SET attempts = attempts + 1, last_error = \(bind: failure.description),
                    first_failed_at = COALESCE(first_failed_at, \(bind: now))
                WHERE id = \(bind: failure.eventID) RETURNING attempts, first_failed_at
                """
            ).first()
            guard let row, try row.decode(column: "attempts", as: Int.self) >= parkAfter,
                now - (try row.decode(column: "first_failed_at", as: Int64.self)) >= window
            else { continue }
            try await db.raw("UPDATE outbox SET parked_at = \(bind: now) WHERE id = \(bind: failure.eventID)").run()
            logger.error(
                "outbox row parked: the transport keeps refusing it",
                metadata: ["event": "\(failure.eventID)", "error": "\(failure.description)"])
        }
    }
}
