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

/// `customer.account.disabled`: the account may no longer log in, and every service refuses its tokens
/// from now on.
public struct CustomerDisabled: IntegrationEvent, Equatable {
    public static let type = "customer.account.disabled"
    public static let source = "/customers"

    public var customerId: String
    public var disabledAt: Date

    public var subject: String { customerId }

    public init(customerId: String, disabledAt: Date) {
        self.customerId = customerId
        self.disabledAt = disabledAt
    }
}

/// `customer.account.enabled`: a disabled account may log in again.
public struct CustomerEnabled: IntegrationEvent, Equatable {
    public static let type = "customer.account.enabled"
    public static let source = "/customers"

    public var customerId: String
    public var enabledAt: Date

    public var subject: String { customerId }

    public init(customerId: String, enabledAt: Date) {
        self.customerId = customerId
        self.enabledAt = enabledAt
    }
}

/// `customer.addresses.changed`: the default shipping or billing address of an account's address book
/// changed (or the book lost it: `nil`). `version` grows with every change of the account's defaults, so a
/// replica keeps the newest whatever order the events arrive in.
public struct CustomerAddressesChanged: IntegrationEvent, Equatable {
    public static let type = "customer.addresses.changed"
    public static let source = "/customers"

    public var customerId: String
    public var version: Int
    public var defaultShipping: PostalAddress?
    public var defaultBilling: PostalAddress?
    public var changedAt: Date

    public var subject: String { customerId }

    public init(
        customerId: String, version: Int, defaultShipping: PostalAddress?, defaultBilling: PostalAddress?,
        changedAt: Date
    ) {
        self.customerId = customerId
        self.version = version
        self.defaultShipping = defaultShipping
        self.defaultBilling = defaultBilling
        self.changedAt = changedAt
    }
}
