import IntegrationEvents
import Messaging
import ServiceKit

/// How a process hears that an account was disabled or enabled (the customers service's events), in
/// either mode, so that every service refuses a disabled account's tokens at once.
enum Revocations {
    static let eventTypes: Set<String> = [CustomerDisabled.type, CustomerEnabled.type]

    /// Revokes or restores the event's account in `keys`.
    static func apply(_ envelope: EventEnvelope, to keys: KeyRing) {
        guard let subject = envelope.subject, eventTypes.contains(envelope.type) else { return }
        keys.revoke(subject, envelope.type == CustomerDisabled.type)
    }
}
