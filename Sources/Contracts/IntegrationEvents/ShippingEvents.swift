import Foundation

/// A shipment as shipping's events carry it: one packed slip handed to a carrier.
public struct ShipmentSnapshot: Codable, Sendable, Equatable {
    public var shipmentId: String
    public var slipId: String
    public var slipNumber: String
    public var orderId: String
    public var orderNumber: String
    public var customerId: String
    public var warehouse: String
    public var carrier: String
    public var trackingNumber: String
    /// `shipped`, `in_transit` or `delivered`.
    public var status: String
    /// How many slips (so shipments) the order has: the order moves on when all of them do.
    public var slipsInOrder: Int
    /// What left the warehouse: the slip's picked parts.
    public var items: [StockAllocation]

    public init(
        shipmentId: String, slipId: String, slipNumber: String, orderId: String, orderNumber: String,
        customerId: String, warehouse: String, carrier: String, trackingNumber: String, status: String,
        slipsInOrder: Int, items: [StockAllocation]
    ) {
        self.shipmentId = shipmentId
        self.slipId = slipId
        self.slipNumber = slipNumber
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.customerId = customerId
        self.warehouse = warehouse
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.status = status
        self.slipsInOrder = slipsInOrder
        self.items = items
    }
}

/// `shipment.shipped`: a packed slip left the warehouse with a carrier (inventory commits its stock).
public struct ShipmentShipped: IntegrationEvent, Equatable {
    public static let type = "shipment.shipped"
    public static let source = "/shipping"
    public var shipment: ShipmentSnapshot
    public var actor: String
    public var at: Date
    public var subject: String { shipment.shipmentId }

    public init(shipment: ShipmentSnapshot, actor: String, at: Date) {
        self.shipment = shipment
        self.actor = actor
        self.at = at
    }
}

/// `shipment.in_transit`: the carrier reported the parcel under way (first such report).
public struct ShipmentInTransit: IntegrationEvent, Equatable {
    public static let type = "shipment.in_transit"
    public static let source = "/shipping"
    public var shipment: ShipmentSnapshot
    public var location: String?
    public var at: Date
    public var subject: String { shipment.shipmentId }

    public init(shipment: ShipmentSnapshot, location: String?, at: Date) {
        self.shipment = shipment
        self.location = location
        self.at = at
    }
}

/// `shipment.delivered`: the carrier delivered the parcel.
public struct ShipmentDelivered: IntegrationEvent, Equatable {
    public static let type = "shipment.delivered"
    public static let source = "/shipping"
    public var shipment: ShipmentSnapshot
    public var location: String?
    public var at: Date
    public var subject: String { shipment.shipmentId }

    public init(shipment: ShipmentSnapshot, location: String?, at: Date) {
        self.shipment = shipment
        self.location = location
        self.at = at
    }
}
