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

/// Carries events from the outbox relays to consumers: in-process or over a broker. A transport has one
/// path each way, in batches; the single-event forms below are conveniences on top of it.
///
/// `publish` returns only once an event is durably accepted (for the in-process transport: once
/// every subscriber has committed it), so the relay may then mark the outbox row published.
public protocol Transport: Sendable {
    /// Publishes `batch` in order, each event within `deadline`.
    func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome

    /// Registers a durable consumer named `consumer` for events whose type is in `types`; `deliver` gets
    /// them in order, as many at once as the transport has.
    func subscribe(consumer: String, types: Set<String>, deliverBatch: @escaping EventBatchDelivery) async throws
}

extension Transport {
    /// Publishes `envelope` alone; throws if it was not accepted within `deadline`.
    public func publish(_ envelope: EventEnvelope, deadline: Duration = .seconds(10)) async throws {
        let outcome = await publish(batch: [envelope], deadline: deadline)
        guard outcome.published.contains(envelope.id) else {
            throw outcome.failures.first
                ?? PublishFailure(eventID: envelope.id, description: "the transport did not take the event")
        }
    }

    /// Registers `consumer` with a handler of one event at a time.
    public func subscribe(consumer: String, types: Set<String>, deliver: @escaping EventDelivery) async throws {
        try await subscribe(consumer: consumer, types: types, deliverBatch: oneAtATime(deliver))
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
