import Foundation

/// A postal address inside order events.
public struct PostalAddress: Codable, Sendable, Equatable {
    public var firstName: String
    public var lastName: String
    public var company: String?
    public var email: String?
    public var phone: String?
    public var line1: String
    public var line2: String?
    public var line3: String?
    public var city: String
    public var region: String?
    public var postalCode: String
    public var country: String

    public init(
        firstName: String, lastName: String, company: String?, email: String?, phone: String?, line1: String,
        line2: String?, line3: String?, city: String, region: String?, postalCode: String, country: String
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.company = company
        self.email = email
        self.phone = phone
        self.line1 = line1
        self.line2 = line2
        self.line3 = line3
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }
}

/// One priced line inside order events.
public struct OrderLineSnapshot: Codable, Sendable, Equatable {
    public var sku: String
    public var name: String
    public var quantity: Int
    public var unitPrice: MoneyAmount
    public var lineTotal: MoneyAmount

    public init(sku: String, name: String, quantity: Int, unitPrice: MoneyAmount, lineTotal: MoneyAmount) {
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.lineTotal = lineTotal
    }
}

/// The whole order as every order event carries it: what a consumer needs without calling back.
public struct OrderSnapshot: Codable, Sendable, Equatable {
    public var orderId: String
    public var number: String
    public var customerId: String
    public var status: String
    public var lines: [OrderLineSnapshot]
    public var shippingAddress: PostalAddress
    public var billingAddress: PostalAddress
    public var subtotal: MoneyAmount
    public var tax: MoneyAmount
    /// Basis points: 1900 is 19 %.
    public var taxRateBasisPoints: Int
    public var total: MoneyAmount
    public var createdAt: Date
    public var version: Int

    public init(
        orderId: String, number: String, customerId: String, status: String, lines: [OrderLineSnapshot],
        shippingAddress: PostalAddress, billingAddress: PostalAddress, subtotal: MoneyAmount, tax: MoneyAmount,
        taxRateBasisPoints: Int, total: MoneyAmount, createdAt: Date, version: Int
    ) {
        self.orderId = orderId
        self.number = number
        self.customerId = customerId
        self.status = status
        self.lines = lines
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
        self.subtotal = subtotal
        self.tax = tax
        self.taxRateBasisPoints = taxRateBasisPoints
        self.total = total
        self.createdAt = createdAt
        self.version = version
    }
}

/// `order.placed`: a new order awaits confirmation (inventory reserves stock for it).
public struct OrderPlaced: IntegrationEvent, Equatable {
    public static let type = "order.placed"
    public static let source = "/orders"
    public var order: OrderSnapshot
    public var subject: String { order.orderId }

    public init(order: OrderSnapshot) { self.order = order }
}

/// `order.status.changed`: any status move, with who made it and why.
public struct OrderStatusChanged: IntegrationEvent, Equatable {
    public static let type = "order.status.changed"
    public static let source = "/orders"
    public var order: OrderSnapshot
    public var from: String
    public var to: String
    public var actor: String
    public var reason: String?
    public var at: Date
    public var subject: String { order.orderId }

    public init(order: OrderSnapshot, from: String, to: String, actor: String, reason: String?, at: Date) {
        self.order = order
        self.from = from
        self.to = to
        self.actor = actor
        self.reason = reason
        self.at = at
    }
}

/// `order.confirmed`: stock is reserved and the order confirmed (by itself or by staff); billing and
/// fulfillment start.
public struct OrderConfirmed: IntegrationEvent, Equatable {
    public static let type = "order.confirmed"
    public static let source = "/orders"
    public var order: OrderSnapshot
    public var at: Date
    /// Where the stock was reserved (from `inventory.reserved`): what fulfillment picks, per warehouse.
    public var allocations: [StockAllocation]?
    public var subject: String { order.orderId }

    public init(order: OrderSnapshot, at: Date, allocations: [StockAllocation]? = nil) {
        self.order = order
        self.at = at
        self.allocations = allocations
    }
}

/// `order.cancelled`: reservations are to be released, slips voided, invoices credited.
public struct OrderCancelled: IntegrationEvent, Equatable {
    public static let type = "order.cancelled"
    public static let source = "/orders"
    public var order: OrderSnapshot
    /// The status the order was cancelled from.
    public var from: String
    public var actor: String
    public var reason: String?
    public var at: Date
    public var subject: String { order.orderId }

    public init(order: OrderSnapshot, from: String, actor: String, reason: String?, at: Date) {
        self.order = order
        self.from = from
        self.actor = actor
        self.reason = reason
        self.at = at
    }
}
