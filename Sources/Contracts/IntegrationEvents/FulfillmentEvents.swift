import Foundation

/// A packing slip as fulfillment's events carry it.
public struct SlipSnapshot: Codable, Sendable, Equatable {
    public var slipId: String
    public var number: String
    public var orderId: String
    public var orderNumber: String
    public var customerId: String
    public var warehouse: String
    public var status: String
    /// How many slips the order has (all created together): the order moves on when all of them do.
    public var slipsInOrder: Int
    /// What leaves the warehouse with this slip: the picked parts (components, not kit headers).
    public var items: [StockAllocation]

    public init(
        slipId: String, number: String, orderId: String, orderNumber: String, customerId: String, warehouse: String,
        status: String, slipsInOrder: Int, items: [StockAllocation]
    ) {
        self.slipId = slipId
        self.number = number
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.customerId = customerId
        self.warehouse = warehouse
        self.status = status
        self.slipsInOrder = slipsInOrder
        self.items = items
    }
}

/// `fulfillment.slip.created`: a confirmed order's slip for one warehouse exists.
public struct FulfillmentSlipCreated: IntegrationEvent, Equatable {
    public static let type = "fulfillment.slip.created"
    public static let source = "/fulfillment"
    public var slip: SlipSnapshot
    public var at: Date
    public var subject: String { slip.slipId }

    public init(slip: SlipSnapshot, at: Date) {
        self.slip = slip
        self.at = at
    }
}

/// `fulfillment.slip.packed`: the slip's parts are picked and packed; it can be shipped.
public struct FulfillmentSlipPacked: IntegrationEvent, Equatable {
    public static let type = "fulfillment.slip.packed"
    public static let source = "/fulfillment"
    public var slip: SlipSnapshot
    public var actor: String
    public var at: Date
    public var subject: String { slip.slipId }

    public init(slip: SlipSnapshot, actor: String, at: Date) {
        self.slip = slip
        self.actor = actor
        self.at = at
    }
}

/// `fulfillment.slip.voided`: the order was cancelled before the slip shipped.
public struct FulfillmentSlipVoided: IntegrationEvent, Equatable {
    public static let type = "fulfillment.slip.voided"
    public static let source = "/fulfillment"
    public var slip: SlipSnapshot
    public var at: Date
    public var subject: String { slip.slipId }

    public init(slip: SlipSnapshot, at: Date) {
        self.slip = slip
        self.at = at
    }
}
