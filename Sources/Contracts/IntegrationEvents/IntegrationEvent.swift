/// A published event payload: its CloudEvents `type` and the entity it is about.
///
/// These types are the contract between services: fields may be added, never renamed or removed.
public protocol IntegrationEvent: Codable, Sendable {
    /// `<context>.<entity>.<verb>`.
    static var type: String { get }
    /// The CloudEvents `source`: `/<service>` of the only service that may publish it. Consumers refuse
    /// an event of this type from anywhere else.
    static var source: String { get }
    /// The CloudEvents `subject`: the id of the entity.
    var subject: String { get }
    /// The version of this type's payload schema (the envelope's `schemaversion`). Adding an optional
    /// field keeps it; removing, renaming or retyping a field makes a new version, which is published only
    /// once every consumer of the release before reads it (docs/VERSIONING.md).
    static var schemaVersion: Int { get }
}

extension IntegrationEvent {
    public static var schemaVersion: Int { 1 }
}

/// An exact amount on the wire: a decimal string and an ISO 4217 currency.
public struct MoneyAmount: Codable, Sendable, Equatable {
    public var amount: String
    public var currency: String

    public init(amount: String, currency: String) {
        self.amount = amount
        self.currency = currency
    }
}
