import Foundation
import IntegrationEvents
import SQLKit
import ServiceKit
import Storage

/// How far one packing slip of an order has come: the stages the order's status follows.
enum SlipStage: Int, Comparable, CaseIterable {
    case created = 0, shipped, inTransit, delivered

    /// The order status once every slip of the order reached this stage.
    var orderStatus: OrderStatus {
        switch self {
        case .created: .sentToWarehouse
        case .shipped: .shipped
        case .inTransit: .inTransit
        case .delivered: .delivered
        }
    }

    static func < (a: SlipStage, b: SlipStage) -> Bool { a.rawValue < b.rawValue }
}

/// The orders side of fulfillment and shipping: slips and shipments move the order along
/// `confirmed → sent_to_warehouse → shipped → in_transit → delivered`.
extension OrdersStore {
    static let fulfillmentActor = "fulfillment"
    static let shippingActor = "shipping"

    /// The status every slip of an order allows, given each slip's stage; `nil` until all the order's slips
    /// are known (pure).
    static func statusAllowed(by stages: [SlipStage], slipsInOrder: Int) -> OrderStatus? {
        guard slipsInOrder > 0, stages.count >= slipsInOrder, let slowest = stages.min() else { return nil }
        return slowest.orderStatus
    }

    /// Records a shipment's progress (`shipment.shipped`, `.in_transit`, `.delivered`), in whichever order
    /// they arrive, and moves the order as far as all its shipments allow.
    func recordShipment(_ shipment: ShipmentSnapshot, stage: SlipStage, now: Date = .storageNow, in db: any SQLDatabase)
        async throws
    {
        try await record(
            slipId: shipment.slipId, orderId: shipment.orderId, slipsInOrder: shipment.slipsInOrder, stage: stage,
            shipmentId: shipment.shipmentId, now: now, in: db)
        try await advance(shipment.orderId, now: now, in: db)
    }

    /// Whether any slip of order `id` has left the warehouse (then it can no longer be cancelled).
    func hasShipped(_ id: String, in db: any SQLDatabase) async throws -> Bool {
        try await db.raw(
            "SELECT slip_id FROM order_slips WHERE order_id = \(bind: id) AND stage >= \(bind: SlipStage.shipped.rawValue)"
        ).first() != nil
    }

    private func record(
        slipId: String, orderId: String, slipsInOrder: Int, stage: SlipStage, shipmentId: String?, now: Date,
        in db: any SQLDatabase
    ) async throws {
        try await db.raw(
            """
            INSERT INTO order_slips (slip_id, order_id, slips_in_order, stage, shipment_id, updated_at)
            VALUES (\(bind: slipId), \(bind: orderId), \(bind: slipsInOrder), \(bind: stage.rawValue), \(bind: shipmentId),
                \(bind: now.microsecondsSince1970))
            ON CONFLICT (slip_id) DO UPDATE SET stage = excluded.stage,
                shipment_id = COALESCE(excluded.shipment_id, order_slips.shipment_id), updated_at = excluded.updated_at
            WHERE order_slips.stage < excluded.stage
            """
        ).run()
    }

    /// Moves order `id` step by step up to what its slips allow; an order already there (moved by hand),
    /// cancelled, or not yet confirmed stays as it is.
    private func advance(_ id: String, now: Date, in db: any SQLDatabase) async throws {
        let rows = try await db.raw("SELECT stage, slips_in_order FROM order_slips WHERE order_id = \(bind: id)").all()
        let stages = try rows.compactMap { SlipStage(rawValue: try $0.decode(column: "stage", as: Int.self)) }
        let expected = try rows.map { try $0.decode(column: "slips_in_order", as: Int.self) }.max() ?? 0
        guard let target = Self.statusAllowed(by: stages, slipsInOrder: expected),
            var order = try await fetchIfExists(id, in: db)
        else { return }
        let path: [OrderStatus] = [.confirmed, .sentToWarehouse, .shipped, .inTransit, .delivered]
        guard var position = path.firstIndex(of: order.status), let end = path.firstIndex(of: target) else { return }
        while position < end {
            position += 1
            let actor = path[position] == .sentToWarehouse ? Self.fulfillmentActor : Self.shippingActor
            order = try await move(order, to: path[position], actor: actor, reason: nil, now: now, in: db)
        }
    }
}
