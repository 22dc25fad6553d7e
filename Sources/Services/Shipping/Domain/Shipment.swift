import Foundation
import IntegrationEvents
import ServiceKit

/// Where a parcel is.
public enum ShipmentStatus: String, Sendable, CaseIterable, Codable {
    case shipped
    case inTransit = "in_transit"
    case delivered

    /// How far along the road: shipped 0, in transit 1, delivered 2.
    public var stage: Int {
        switch self {
        case .shipped: 0
        case .inTransit: 1
        case .delivered: 2
        }
    }
}

/// One report from the carrier.
public struct TrackingEvent: Sendable, Equatable {
    public var status: ShipmentStatus
    /// When it happened, as the carrier says.
    public var at: Date
    public var location: String?
    /// When it was recorded, and by whom.
    public var recordedAt: Date
    public var actor: String

    public init(status: ShipmentStatus, at: Date, location: String?, recordedAt: Date, actor: String) {
        self.status = status
        self.at = at
        self.location = location
        self.recordedAt = recordedAt
        self.actor = actor
    }
}

/// A packed slip handed to a carrier, and what the carrier reported since.
public struct Shipment: Sendable, Equatable {
    public var id: String
    public var slip: PackedSlip
    public var carrier: String
    public var trackingNumber: String
    public var status: ShipmentStatus
    public var tracking: [TrackingEvent]
    public var shippedAt: Date
    public var updatedAt: Date

    public init(
        id: String, slip: PackedSlip, carrier: String, trackingNumber: String, status: ShipmentStatus,
        tracking: [TrackingEvent], shippedAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.slip = slip
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.status = status
        self.tracking = tracking
        self.shippedAt = shippedAt
        self.updatedAt = updatedAt
    }
}

/// A packing slip as shipping knows it, from fulfillment's events.
public struct PackedSlip: Sendable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Packed: it can be shipped.
        case packed
        /// The order was cancelled: it must not leave.
        case voided
        /// A shipment took it.
        case shipped
    }

    public var slipId: String
    public var number: String
    public var orderId: String
    public var orderNumber: String
    public var customerId: String
    public var warehouse: String
    public var slipsInOrder: Int
    public var items: [StockAllocation]
    public var state: State

    public init(
        slipId: String, number: String, orderId: String, orderNumber: String, customerId: String, warehouse: String,
        slipsInOrder: Int, items: [StockAllocation], state: State
    ) {
        self.slipId = slipId
        self.number = number
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.customerId = customerId
        self.warehouse = warehouse
        self.slipsInOrder = slipsInOrder
        self.items = items
        self.state = state
    }
}

/// Shipping's decisions: pure.
public enum ShippingRules {
    /// How far in the future a carrier's timestamp may be (clock skew), before it is refused.
    public static let clockSkew: TimeInterval = 300

    /// Whether `slip` can be shipped now; the problem otherwise (409).
    public static func checkShippable(_ slip: PackedSlip?, id: String) throws(Problem) -> PackedSlip {
        guard let slip else { throw ShippingProblems.slipNotPacked(id) }
        switch slip.state {
        case .packed: return slip
        case .voided: throw ShippingProblems.slipVoided(id)
        case .shipped: throw ShippingProblems.slipAlreadyShipped(id)
        }
    }

    /// Records a carrier report on `shipment`: `in_transit` (again, for each scan on the way) or
    /// `delivered`, never back and nothing after delivery (409), never in the future (409: a well-formed
    /// time the shipment cannot have reached yet). Returns
    /// whether the status changed (then an event is published).
    public static func track(
        _ shipment: inout Shipment, status: ShipmentStatus, at: Date?, location: String?, actor: String, now: Date
    ) throws(Problem) -> Bool {
        guard status != .shipped else {
            throw Problem.validation([FieldError(field: "status", message: "must be in_transit or delivered")])
        }
        let when = at ?? now
        if when.timeIntervalSince(now) > clockSkew { throw ShippingProblems.inTheFuture(shipment.id) }
        guard shipment.status != .delivered else { throw ShippingProblems.alreadyDelivered(shipment.id) }
        let changed = status.stage > shipment.status.stage
        shipment.tracking.append(
            TrackingEvent(status: status, at: when, location: location, recordedAt: now, actor: actor))
        if changed { shipment.status = status }
        shipment.updatedAt = now
        return changed
    }
}
