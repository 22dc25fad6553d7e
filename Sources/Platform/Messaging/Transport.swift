/// Handles one delivered event; throwing asks the transport to deliver it again later.
public typealias EventDelivery = @Sendable (EventEnvelope) async throws -> Void

/// Carries events from the outbox relays to consumers: in-process or over a broker.
///
/// `publish` returns only once the event is durably accepted (for the in-process transport: once
/// every subscriber has committed it), so the relay may then mark the outbox row published.
public protocol Transport: Sendable {
    /// Publishes `envelope`; throws if it was not accepted.
    func publish(_ envelope: EventEnvelope) async throws

    /// Registers a durable consumer named `consumer` for events whose type is in `types`.
    func subscribe(consumer: String, types: Set<String>, deliver: @escaping EventDelivery) async throws
}
