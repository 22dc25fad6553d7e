import Foundation

/// `customer.registered`: a new account exists.
public struct CustomerRegistered: IntegrationEvent, Equatable {
    public static let type = "customer.registered"
    public static let source = "/customers"

    public var customerId: String
    public var email: String
    public var name: String
    /// `customer`, `staff` or `admin`.
    public var role: String
    public var registeredAt: Date

    public var subject: String { customerId }

    public init(customerId: String, email: String, name: String, role: String, registeredAt: Date) {
        self.customerId = customerId
        self.email = email
        self.name = name
        self.role = role
        self.registeredAt = registeredAt
    }
}
