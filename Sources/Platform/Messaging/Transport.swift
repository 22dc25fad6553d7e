/// Handles one delivered event; throwing asks the transport to deliver it again later.
public typealias EventDelivery = @Sendable (EventEnvelope) async throws -> Void

/// Handles delivered events in order, all at once where it can (one transaction); returns the error of
/// each event the transport should deliver again, by event id.
public typealias EventBatchDelivery = @Sendable ([EventEnvelope]) async -> [String: any Error]

/// Why an event was not accepted by a transport.
public struct PublishFailure: Error, CustomStringConvertible, Sendable {
    public let eventID: String
    public let description: String

    public init(eventID: String, description: String) {
        self.eventID = eventID
        self.description = description
    }
}

/// What became of a batch handed to ``Transport/publish(batch:deadline:)``: the ids accepted, and the
/// events refused. An event in neither was not tried (the transport looked down).
public struct PublishOutcome: Sendable {
    public var published: [String] = []
    public var failures: [PublishFailure] = []

    public init() {}
}

/// Carries events from the outbox relays to consumers: in-process or over a broker.
///
/// `publish` returns only once the event is durably accepted (for the in-process transport: once
/// every subscriber has committed it), so the relay may then mark the outbox row published.
public protocol Transport: Sendable {
    /// Publishes `envelope`; throws if it was not accepted.
    func publish(_ envelope: EventEnvelope) async throws

    /// Publishes `batch` in order, each event within `deadline`. The default publishes one event at a
    /// time, and gives up on the rest after three failures in a row with nothing accepted.
    func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome

    /// Registers a durable consumer named `consumer` for events whose type is in `types`.
    func subscribe(consumer: String, types: Set<String>, deliver: @escaping EventDelivery) async throws

    /// ``subscribe(consumer:types:deliver:)``, with `deliverBatch` for transports that hand over several
    /// events at once (the default ignores it).
    func subscribe(
        consumer: String, types: Set<String>, deliver: @escaping EventDelivery,
        deliverBatch: @escaping EventBatchDelivery
    ) async throws
}

extension Transport {
    public func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome {
        var outcome = PublishOutcome()
        for envelope in batch {
            do {
                try await withDeadline(deadline, "publishing \(envelope.type)") { try await publish(envelope) }
                outcome.published.append(envelope.id)
            } catch {
                outcome.failures.append(PublishFailure(eventID: envelope.id, description: String(describing: error)))
                if outcome.published.isEmpty, outcome.failures.count >= 3 { break }
            }
        }
        return outcome
    }

    public func subscribe(
        consumer: String, types: Set<String>, deliver: @escaping EventDelivery,
        deliverBatch: @escaping EventBatchDelivery
    ) async throws {
        try await subscribe(consumer: consumer, types: types, deliver: deliver)
    }
}

/// A batch delivery that hands each event to `deliver` in turn, for subscribers without a batch path.
public func oneAtATime(_ deliver: @escaping EventDelivery) -> EventBatchDelivery {
    { batch in
        var failures: [String: any Error] = [:]
        for envelope in batch {
            do { try await deliver(envelope) } catch { failures[envelope.id] = error }
        }
        return failures
    }
}
