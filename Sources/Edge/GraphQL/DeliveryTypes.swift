import BillingAPI
import FulfillmentAPI
import GraphQL
import InventoryAPI
import ServiceKit
import ShippingAPI

/// What happens to an order after it is placed, in the schema: stock, packing slips, shipments, invoices.
struct DeliveryTypes {
    let availability: GraphQLObjectType
    let packingSlip: GraphQLObjectType
    let shipment: GraphQLObjectType
    let invoice: GraphQLObjectType
    let paymentInput: GraphQLInputObjectType

    static let slipStatus = SchemaParts.enumeration("SlipStatus", ["open", "packed", "shipped", "voided"])
    static let shipmentStatus = SchemaParts.enumeration("ShipmentStatus", ["shipped", "in_transit", "delivered"])
    static let invoiceStatus = SchemaParts.enumeration(
        "InvoiceStatus", ["issued", "partially_paid", "paid", "credited"])
    static let paymentMethod = SchemaParts.enumeration(
        "PaymentMethod", ["bank_transfer", "card", "cash", "cheque", "other"])

    init() throws {
        typealias S = SchemaParts
        let warehouseStock = try GraphQLObjectType(
            name: "WarehouseStock", description: "Stock in one warehouse (staff and admin).",
            fields: [
                "warehouse": S.member(S.required(GraphQLString)), "country": S.member(S.required(GraphQLString)),
                "available": S.member(S.required(GraphQLInt)), "onHand": S.member(GraphQLInt),
                "reserved": S.member(GraphQLInt), "bin": S.member(GraphQLString), "reorderPoint": S.member(GraphQLInt),
            ])
        availability = try GraphQLObjectType(
            name: "Availability",
            fields: [
                "available": S.member(
                    S.required(GraphQLInt),
                    "Units that can be ordered now, all warehouses together (a kit: what its parts allow)."),
                "warehouses": S.member(
                    GraphQLList(GraphQLNonNull(warehouseStock)), "Per warehouse; staff and admin only."),
            ])
        let slipLine = try GraphQLObjectType(
            name: "SlipLine",
            fields: [
                "kind": S.member(
                    S.required(GraphQLString), "part, kit (the header of the components after it) or component"),
                "sku": S.member(S.required(GraphQLString)), "name": S.member(S.required(GraphQLString)),
                "quantity": S.member(S.required(GraphQLInt)), "bin": S.member(GraphQLString),
                "kit": S.member(GraphQLString),
            ])
        packingSlip = try GraphQLObjectType(
            name: "PackingSlip",
            fields: [
                "id": S.member(S.required(GraphQLString)), "number": S.member(S.required(GraphQLString)),
                "orderId": S.member(S.required(GraphQLString)), "orderNumber": S.member(S.required(GraphQLString)),
                "warehouse": S.member(S.required(GraphQLString)), "status": S.member(S.required(Self.slipStatus)),
                "shipTo": S.member(S.required(S.address)), "lines": S.member(S.list(slipLine)),
                "createdAt": S.member(S.required(S.dateTime)), "updatedAt": S.member(S.required(S.dateTime)),
            ])
        let trackingEvent = try GraphQLObjectType(
            name: "TrackingEvent",
            fields: [
                "status": S.member(S.required(Self.shipmentStatus)), "at": S.member(S.required(S.dateTime)),
                "location": S.member(GraphQLString), "recordedAt": S.member(S.required(S.dateTime)),
            ])
        shipment = try GraphQLObjectType(
            name: "Shipment",
            fields: [
                "id": S.member(S.required(GraphQLString)), "packingSlipId": S.member(S.required(GraphQLString)),
                "packingSlipNumber": S.member(S.required(GraphQLString)),
                "orderId": S.member(S.required(GraphQLString)),
                "orderNumber": S.member(S.required(GraphQLString)), "warehouse": S.member(S.required(GraphQLString)),
                "carrier": S.member(S.required(GraphQLString)), "trackingNumber": S.member(S.required(GraphQLString)),
                "status": S.member(S.required(Self.shipmentStatus)),
                "tracking": S.member(S.list(trackingEvent), "Every report, oldest first."),
                "shippedAt": S.member(S.required(S.dateTime)), "updatedAt": S.member(S.required(S.dateTime)),
            ])
        let seller = try GraphQLObjectType(
            name: "Seller",
            fields: [
                "name": S.member(S.required(GraphQLString)), "address": S.member(S.required(GraphQLString)),
                "vatId": S.member(S.required(GraphQLString)),
            ])
        let invoiceLine = try GraphQLObjectType(
            name: "InvoiceLine",
            fields: [
                "sku": S.member(S.required(GraphQLString)), "name": S.member(S.required(GraphQLString)),
                "quantity": S.member(S.required(GraphQLInt)), "unitPrice": S.member(S.required(S.money)),
                "net": S.member(S.required(S.money)), "taxRate": S.member(S.required(GraphQLString)),
                "tax": S.member(S.required(S.money)), "gross": S.member(S.required(S.money)),
            ])
        let payment = try GraphQLObjectType(
            name: "Payment",
            fields: [
                "id": S.member(S.required(GraphQLString)), "amount": S.member(S.required(S.money)),
                "method": S.member(S.required(GraphQLString)), "reference": S.member(S.required(GraphQLString)),
                "at": S.member(S.required(S.dateTime)), "recordedAt": S.member(S.required(S.dateTime)),
            ])
        let creditNote = try GraphQLObjectType(
            name: "CreditNote",
            fields: [
                "id": S.member(S.required(GraphQLString)), "number": S.member(S.required(GraphQLString)),
                "issuedAt": S.member(S.required(S.dateTime)), "net": S.member(S.required(S.money)),
                "tax": S.member(S.required(S.money)), "gross": S.member(S.required(S.money)),
                "reason": S.member(GraphQLString),
            ])
        invoice = try GraphQLObjectType(
            name: "Invoice",
            fields: [
                "id": S.member(S.required(GraphQLString)), "number": S.member(S.required(GraphQLString)),
                "orderId": S.member(S.required(GraphQLString)), "orderNumber": S.member(S.required(GraphQLString)),
                "issuedAt": S.member(S.required(S.dateTime)), "status": S.member(S.required(Self.invoiceStatus)),
                "seller": S.member(S.required(seller)), "buyer": S.member(S.required(S.address)),
                "lines": S.member(S.list(invoiceLine)), "net": S.member(S.required(S.money)),
                "tax": S.member(S.required(S.money)), "gross": S.member(S.required(S.money)),
                "paid": S.member(S.required(S.money)), "balance": S.member(S.required(S.money)),
                "payments": S.member(S.list(payment)), "creditNote": S.member(creditNote),
            ])
        paymentInput = try GraphQLInputObjectType(
            name: "NewPayment",
            fields: [
                "amount": InputObjectField(type: S.required(GraphQLString), description: "Decimal, e.g. \"62.93\"."),
                "currency": InputObjectField(type: S.required(GraphQLString), description: "The invoice's currency."),
                "method": InputObjectField(type: S.required(Self.paymentMethod)),
                "reference": InputObjectField(
                    type: S.required(GraphQLString), description: "The bank's or till's reference."),
                "at": InputObjectField(
                    type: GraphQLString, description: "When it was paid (RFC 3339); now when left out."),
            ])
    }

    /// The order's packing slips (staff and admin), shipments and invoices: every item of the first page
    /// of up to 200 (an order has a few).
    static func slips(of orderId: String, _ resolution: Resolution) async throws -> (any Sendable)? {
        let output = try await resolution.call {
            try await resolution.upstreams.fulfillment.listPackingSlips(
                .init(query: .init(orderId: orderId, limit: 200)))
        }
        return try JSONNode.from(try output.ok.body.json)["items"]
    }

    static func shipments(of orderId: String, _ resolution: Resolution) async throws -> (any Sendable)? {
        let output = try await resolution.call {
            try await resolution.upstreams.shipping.listShipments(.init(query: .init(orderId: orderId, limit: 200)))
        }
        return try JSONNode.from(try output.ok.body.json)["items"]
    }

    static func invoices(of orderId: String, _ resolution: Resolution) async throws -> (any Sendable)? {
        let output = try await resolution.call {
            try await resolution.upstreams.billing.listInvoices(.init(query: .init(orderId: orderId, limit: 200)))
        }
        return try JSONNode.from(try output.ok.body.json)["items"]
    }
}
