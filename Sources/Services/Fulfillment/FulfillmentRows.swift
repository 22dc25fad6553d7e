import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import Storage

/// Decodes the fulfillment service's rows into domain types (unknown stored values throw).
enum FulfillmentRows {
    /// The slip in `row` with its lines, read in `db`.
    static func slip(_ row: any SQLRow, in db: any SQLDatabase) async throws -> PackingSlip {
        let id = try row.decode(column: "id", as: String.self)
        let lines = try await db.raw("SELECT * FROM slip_lines WHERE slip_id = \(bind: id) ORDER BY position").all()
            .map(line)
        let shipTo = try EventCoding.decode(
            PostalAddress.self, from: Data(try row.decode(column: "ship_to", as: String.self).utf8))
        return PackingSlip(
            id: id,
            number: try row.decode(column: "number", as: String.self),
            orderId: try row.decode(column: "order_id", as: String.self),
            orderNumber: try row.decode(column: "order_number", as: String.self),
            customerId: try row.decode(column: "customer_id", as: String.self),
            warehouse: try row.decode(column: "warehouse", as: String.self),
            status: try row.decode(enum: "status"),
            shipTo: shipTo, lines: lines,
            createdAt: Date(microsecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(microsecondsSince1970: try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    static func line(_ row: any SQLRow) throws -> SlipLine {
        SlipLine(
            kind: try row.decode(enum: "kind"),
            sku: try row.decode(column: "sku", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            quantity: try row.decode(column: "quantity", as: Int.self),
            bin: try row.decode(column: "bin", as: String?.self),
            kit: try row.decode(column: "kit", as: String?.self)
        )
    }
}
