import Foundation
import IntegrationEvents
import SQLKit
import Storage

/// Decodes the shipping service's rows into domain types (unknown stored values throw).
enum ShippingRows {
    static func slip(_ row: any SQLRow) throws -> PackedSlip {
        PackedSlip(
            slipId: try row.decode(column: "slip_id", as: String.self),
            number: try row.decode(column: "number", as: String.self),
            orderId: try row.decode(column: "order_id", as: String.self),
            orderNumber: try row.decode(column: "order_number", as: String.self),
            customerId: try row.decode(column: "customer_id", as: String.self),
            warehouse: try row.decode(column: "warehouse", as: String.self),
            slipsInOrder: try row.decode(column: "slips_in_order", as: Int.self),
            items: try JSONDecoder().decode(
                [StockAllocation].self, from: Data(try row.decode(column: "items", as: String.self).utf8)),
            state: try row.decode(enum: "state"))
    }

    /// The shipment in `row` (a `shipments` row), with its slip and tracking events, read in `db`.
    static func shipment(_ row: any SQLRow, in db: any SQLDatabase) async throws -> Shipment {
        let id = try row.decode(column: "id", as: String.self)
        let slipId = try row.decode(column: "slip_id", as: String.self)
        guard let slipRow = try await db.raw("SELECT * FROM packed_slips WHERE slip_id = \(bind: slipId)").first()
        else {
            throw MissingSlip(slipId: slipId)
        }
        let tracking = try await db.raw(
            "SELECT * FROM tracking_events WHERE shipment_id = \(bind: id) ORDER BY seq"
        ).all().map { event in
            TrackingEvent(
                status: try event.decode(enum: "status"),
                at: Date(microsecondsSince1970: try event.decode(column: "at", as: Int64.self)),
                location: try event.decode(column: "location", as: String?.self),
                recordedAt: Date(microsecondsSince1970: try event.decode(column: "recorded_at", as: Int64.self)),
                actor: try event.decode(column: "actor", as: String.self))
        }
        return Shipment(
            id: id, slip: try slip(slipRow),
            carrier: try row.decode(column: "carrier", as: String.self),
            trackingNumber: try row.decode(column: "tracking_number", as: String.self),
            status: try row.decode(enum: "status"), tracking: tracking,
            shippedAt: Date(microsecondsSince1970: try row.decode(column: "shipped_at", as: Int64.self)),
            updatedAt: Date(microsecondsSince1970: try row.decode(column: "updated_at", as: Int64.self)))
    }

    struct MissingSlip: Error {
        let slipId: String
    }
}
