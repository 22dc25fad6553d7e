import Foundation
import Metrics
import IntegrationEvents
import Logging
import SQLKit
import Storage

/// Applies one event inside the consumer's transaction; `db` is that transaction.
public typealias EventHandler = @Sendable (EventEnvelope, any SQLDatabase) async throws -> Void

/// An error that no retry can cure (a forged or unreadable event): the event goes to dead letters at once.
public protocol PermanentEventFailure: Error {}

/// An event of a known type from a source that may not publish it.
public struct UntrustedEventSource: PermanentEventFailure, CustomStringConvertible {
    public let type: String
    public let source: String
    public let expected: String

    public var description: String { "\(type) from \(source); only \(expected) publishes it" }
}

/// A named, durable consumer of some event types, applying each event exactly once to its database.
///
/// Each delivery runs in one transaction that first records `(consumer, event id)` in the inbox; a
/// repeated delivery finds the row and is skipped. A handler failure is counted; once it has failed
/// `maxAttempts` times *and* for at least `failureWindow` (so a database restart or a lock timeout
/// does not condemn a good event), the event goes to `dead_letters` and is acknowledged, so one
/// poisoned event cannot stop the stream. A ``PermanentEventFailure`` goes there at once.
/// `sprocket events dead-letters` lists them and `sprocket events redrive` replays them.
public struct EventConsumer: Sendable {
    public let name: String
    public let database: Database
    public let maxAttempts: Int
    public let failureWindow: Duration
    /// Events applied in one transaction at most: a relay's batch of 500 is applied in parts, so that
    /// the requests writing to the same database wait for a part, not for the whole batch.
    public var transactionLimit = 100
    private var handlers: [String: Handler]
    private let logger: Logger

    /// What a consumer does with an event of one type: reads it (outside the transaction, so that a
    /// batch's decoding does not hold the database's writer), then applies what it read in the transaction.
    private struct Handler: Sendable {
        let read: @Sendable (EventEnvelope) throws -> any Sendable
        let apply: @Sendable (any Sendable, EventEnvelope, any SQLDatabase) async throws -> Void
        /// Set for a handler that applies a run of events of its type together (``onBatch(_:_:)``), with
        /// what its `prepareAll` worked out before the transaction, if anything.
        var applyAll:
            (@Sendable ([(EventEnvelope, any Sendable)], (any Sendable)?, any SQLDatabase) async throws -> Void)? =
                nil
        /// Set for a handler that works out what it will write before the transaction takes the writer
        /// (``onBatch(_:prepare:_:)``).
        var prepareAll: (@Sendable ([(EventEnvelope, any Sendable)]) async throws -> any Sendable)? = nil
    }

    public init(
        name: String, database: Database, maxAttempts: Int = 5, failureWindow: Duration = .seconds(30),
        logger: Logger, handlers: [String: EventHandler] = [:]
    ) {
        self.name = name
        self.database = database
        self.maxAttempts = maxAttempts
        self.failureWindow = failureWindow
        self.handlers = handlers.mapValues { handle in
            Handler(read: { _ in () }, apply: { _, envelope, db in try await handle(envelope, db) })
        }
        self.logger = logger
    }

    /// Handles events of `type`: decoded, and only from the service that publishes that type.
    public mutating func on<Event: IntegrationEvent>(
        _ type: Event.Type, _ handle: @escaping @Sendable (Event, any SQLDatabase) async throws -> Void
    ) {
        handlers[Event.type] = Handler(
            read: Self.reader(of: Event.self),
            apply: { event, _, db in
                guard let event = event as? Event else { throw MisreadEvent(type: Event.type) }
                try await handle(event, db)
            })
    }

    /// Handles events of `type` a run at a time: the events of a batch not applied before, in their
    /// order, each consecutive run of this type in one call (set-based statements for the whole run,
    /// not statements per event). One event delivered alone comes as a run of one. When the call
    /// throws, the consumer applies the run's events one at a time, so the good ones still commit.
    public mutating func onBatch<Event: IntegrationEvent>(
        _ type: Event.Type, _ handle: @escaping @Sendable ([Delivered<Event>], any SQLDatabase) async throws -> Void
    ) {
        onBatch(type, prepare: { _ in () }) { events, _, db in try await handle(events, db) }
    }

    /// ``onBatch(_:_:)`` with a first step outside the transaction: `prepare` gets every event of the type
    /// in a part of a batch (before the inbox has said which are new) and may read the database and work
    /// out what to write, so that the transaction holds the writer only for the writes; `handle` then
    /// gets the run to apply and what `prepare` returned, or `nil` (prepare failed, or the events are
    /// applied one at a time after a failure). `handle` must check that what was prepared still holds (a
    /// version in the `WHERE` of its update) and throw when it does not: the events are then applied one
    /// at a time, each without a preparation.
    public mutating func onBatch<Event: IntegrationEvent, Prepared: Sendable>(
        _ type: Event.Type, prepare: @escaping @Sendable ([Delivered<Event>]) async throws -> Prepared,
        _ handle: @escaping @Sendable ([Delivered<Event>], Prepared?, any SQLDatabase) async throws -> Void
    ) {
        let delivered: @Sendable ([(EventEnvelope, any Sendable)]) throws -> [Delivered<Event>] = { run in
            try run.map { envelope, event in
                guard let event = event as? Event else { throw MisreadEvent(type: Event.type) }
                return Delivered(event: event, trace: TraceContext(traceparent: envelope.traceparent)?.child())
            }
        }
        let all: @Sendable ([(EventEnvelope, any Sendable)], (any Sendable)?, any SQLDatabase) async throws -> Void = {
            run, prepared, db in
            try await handle(try delivered(run), prepared as? Prepared, db)
        }
        var handler = Handler(
            read: Self.reader(of: Event.self),
            apply: { event, envelope, db in try await all([(envelope, event)], nil, db) },
            applyAll: all)
        if Prepared.self != Void.self {
            handler.prepareAll = { events -> any Sendable in
                let prepared: Prepared = try await prepare(try delivered(events))
                return prepared
            }
        }
        handlers[Event.type] = handler
    }

    /// Decodes an envelope of `Event`'s type, only from the service that publishes it.
    private static func reader<Event: IntegrationEvent>(of _: Event.Type)
        -> @Sendable (EventEnvelope) throws ->
        any Sendable
    {
        { envelope in
            guard envelope.source == Event.source else {
                throw UntrustedEventSource(type: Event.type, source: envelope.source, expected: Event.source)
            }
            // A newer schema than this release reads fails (and is retried, then dead-lettered for a
            // redrive after the upgrade) rather than being half understood.
            guard (1...Event.schemaVersion).contains(envelope.schemaVersion) else {
                throw UnreadableSchemaVersion(
                    type: Event.type, version: envelope.schemaVersion, newestKnown: Event.schemaVersion)
            }
            return try envelope.decode(Event.self)
        }
    }

    /// The event types this consumer handles.
    public var types: Set<String> { Set(handlers.keys) }

    /// Registers this consumer with `transport`.
    public func subscribe(to transport: any Transport) async throws {
        try await transport.subscribe(consumer: name, types: types) { batch in await deliver(batch: batch) }
    }

    /// Applies `batch` in order, in transactions of up to ``transactionLimit`` events (one inbox
    /// statement for each, then the handlers of the events not seen before); when one fails (a handler
    /// threw, or the database did), applies each of its events on its own as ``deliver(_:)`` does, so
    /// the good ones commit and the bad one is counted. Returns the error of each event to deliver again,
    /// by event id.
    public func deliver(batch: [EventEnvelope]) async -> [String: any Error] {
        let handled = batch.filter { handlers[$0.type] != nil }
        var failures: [String: any Error] = [:]
        for start in stride(from: 0, to: handled.count, by: transactionLimit) {
            let part = Array(handled[start..<min(start + transactionLimit, handled.count)])
            if part.count > 1, let events = try? read(part) {
                let prepared = await prepare(events)
                do {
                    let repeated = try await database.transaction { db in
                        try await apply(events, redriving: nil, prepared: prepared, in: db)
                    }
                    applied(part, repeated: repeated)
                    continue
                } catch {
                    // Fall through: one at a time finds the event that fails, and commits the others.
                }
            }
            for envelope in part {
                do { try await deliver(envelope) } catch { failures[envelope.id] = error }
            }
        }
        return failures
    }

    /// What the handlers that prepare worked out for `events`, by event type; a type whose preparation
    /// failed is left out (its handler then works in the transaction alone).
    private func prepare(_ events: [(EventEnvelope, any Sendable)]) async -> [String: any Sendable] {
        var prepared: [String: any Sendable] = [:]
        for (type, handler) in handlers {
            guard let prepareAll = handler.prepareAll else { continue }
            let ofType = events.filter { $0.0.type == type }
            guard !ofType.isEmpty else { continue }
            prepared[type] = try? await prepareAll(ofType)
        }
        return prepared
    }

    /// What the handlers read of `envelopes`, each paired with its envelope.
    private func read(_ envelopes: [EventEnvelope]) throws -> [(EventEnvelope, any Sendable)] {
        try envelopes.compactMap { envelope in
            try handlers[envelope.type].map { (envelope, try $0.read(envelope)) }
        }
    }

    /// Applies `envelope` once; throws only when the transport should deliver it again.
    public func deliver(_ envelope: EventEnvelope) async throws {
        guard handlers[envelope.type] != nil else { return }
        do {
            try await apply(envelope)
        } catch {
            try await recordFailure(of: envelope, error: error)
        }
    }

    /// Records `envelopes` in the inbox with one statement, in the transaction `db`; the ids that were
    /// not there yet (the events to apply now).
    private func claim(_ envelopes: [EventEnvelope], in db: any SQLDatabase) async throws -> Set<String> {
        var rows = JSONRows(columns: [("id", "TEXT")])
        for envelope in envelopes { rows.append([.text(envelope.id)]) }
        // `WHERE true`: SQLite would read the ON of the upsert as a join's.
        let claimed = try await db.raw(
            """
            INSERT INTO inbox (consumer, event_id, received_at)
            SELECT \(bind: name), v.id, \(bind: Date().microsecondsSince1970)
            FROM \(rows.source(database.engine, alias: "v")) WHERE true
            ON CONFLICT DO NOTHING RETURNING event_id
            """
        ).all()
        return Set(try claimed.map { try $0.decode(column: "event_id", as: String.self) })
    }

    /// Applies `envelope` in one transaction: inbox claim, handler and cleanup. Redriving dead letter
    /// `deadLetter`, the transaction also drops the inbox row written when it was given up and marks the
    /// letter redriven, so a failing replay changes nothing.
    func apply(_ envelope: EventEnvelope, redriving deadLetter: Int? = nil) async throws {
        let events = try read([envelope])
        guard !events.isEmpty else { return }
        let repeated = try await database.transaction { db in
            try await apply(events, redriving: deadLetter, in: db)
        }
        applied([envelope], repeated: repeated)
    }

    /// Metrics: how long after it happened each event was applied here (the consumer's lag), and how many
    /// were delivered again after they had been applied (`sprocket_events_redelivered_total`: the inbox
    /// skipped them).
    private func applied(_ envelopes: [EventEnvelope], repeated: Set<String>) {
        let now = Date()
        if !repeated.isEmpty {
            Counter(label: "sprocket_events_redelivered_total", dimensions: [("consumer", name)])
                .increment(by: repeated.count)
        }
        for envelope in envelopes where !repeated.contains(envelope.id) {
            Timer(label: "sprocket_event_delay_seconds", dimensions: [("consumer", name), ("type", envelope.type)])
                .record(max(0, now.timeIntervalSince(envelope.time)))
        }
    }

    /// Applies `events` (each envelope with what its handler read of it) in the transaction `db`: one
    /// inbox statement for them all, then the handlers of those not seen before, in order, and the
    /// cleanup of their failed attempts. Redriving, `events` is the one dead letter `deadLetter`. Returns the ids the inbox already held (delivered again).
    private func apply(
        _ events: [(EventEnvelope, any Sendable)], redriving deadLetter: Int?, prepared: [String: any Sendable] = [:],
        in db: any SQLDatabase
    ) async throws -> Set<String> {
        let envelopes = events.map(\.0)
        let ids = envelopes.map(\.id)
        if deadLetter != nil {
            try await db.raw("DELETE FROM inbox WHERE consumer = \(bind: name) AND event_id IN (\(binds: ids))").run()
        }
        var claimed = try await claim(envelopes, in: db)
        let repeated = Set(ids).subtracting(claimed)
        let fresh = events.filter { envelope, _ in claimed.remove(envelope.id) != nil }
        var next = fresh.startIndex
        while next < fresh.endIndex {
            let envelope = fresh[next].0
            guard let handler = handlers[envelope.type] else {
                next += 1
                continue
            }
            if let applyAll = handler.applyAll {
                let end = fresh[next...].firstIndex { $0.0.type != envelope.type } ?? fresh.endIndex
                try await applyAll(Array(fresh[next..<end]), prepared[envelope.type], db)
                next = end
            } else {
                // In a span of the event's trace: what the handler appends to the outbox carries it on.
                try await TraceContext.$current.withValue(TraceContext(traceparent: envelope.traceparent)?.child()) {
                    try await handler.apply(fresh[next].1, envelope, db)
                }
                next += 1
            }
        }
        try await db.raw(
            "DELETE FROM delivery_attempts WHERE consumer = \(bind: name) AND event_id IN (\(binds: ids))"
        ).run()
        if let deadLetter {
            try await db.raw(
                """
                UPDATE dead_letters SET redriven_at = \(bind: Date().microsecondsSince1970)
                WHERE seq = \(bind: deadLetter)
                """
            ).run()
        }
        return repeated
    }

    private func recordFailure(of envelope: EventEnvelope, error: any Error) async throws {
        Counter(label: "sprocket_event_failures_total", dimensions: [("consumer", name), ("type", envelope.type)])
            .increment()
        let message = String(describing: error)
        let permanent = error is any PermanentEventFailure
        let now = Date().microsecondsSince1970
        let window = failureWindow.components.seconds * 1_000_000
        let (attempts, given) = try await database.transaction { db -> (Int, Bool) in
            let row = try await db.raw(
                """
                INSERT INTO delivery_attempts (consumer, event_id, attempts, last_error, first_failed_at)
                VALUES (\(bind: name), \(bind: envelope.id), 1, \(bind: message), \(bind: now))
                ON CONFLICT (consumer, event_id)
                DO UPDATE SET attempts = delivery_attempts.attempts + 1, last_error = excluded.last_error
                RETURNING attempts, first_failed_at
                """
            ).first()
            let attempts = try row?.decode(column: "attempts", as: Int.self) ?? 1
            let first = try row?.decode(column: "first_failed_at", as: Int64?.self) ?? now
            let given = permanent || (attempts >= maxAttempts && now - first >= window)
            if given {
                try await DeadLetters.record(envelope, consumer: name, error: message, attempts: attempts, in: db)
            }
            return (attempts, given)
        }
        logger.warning(
            given ? "event given up: dead letter" : "event handler failed",
            metadata: [
                "consumer": "\(name)", "event": "\(envelope.id)", "type": "\(envelope.type)",
                "attempts": "\(attempts)", "error": "\(message)",
            ]
        )
        if !given { throw error }
    }
}

/// An event whose payload schema is newer than this release's contract.
public struct UnreadableSchemaVersion: Error, CustomStringConvertible, Equatable {
    public let type: String
    public let version: Int
    public let newestKnown: Int

    public var description: String {
        "\(type) schema version \(version) is newer than this release reads (1 to \(newestKnown))"
    }
}

/// What a handler read of an event is not of the type it reads (a defect, never expected).
struct MisreadEvent: Error, CustomStringConvertible {
    let type: String

    var description: String { "an event of type \(type) was read as another type" }
}
