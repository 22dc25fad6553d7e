import Foundation
import Hummingbird
import ServiceKit

/// The orders: a list filtered by status, number, city, country, customer and date, paged; an order
/// with its lines, slips, shipments, invoices and history; cancelling with a reason.
extension BackOffice {
    static let orderStatuses = [
        "pending_confirmation", "confirmed", "sent_to_warehouse", "shipped", "in_transit", "delivered", "cancelled",
    ]

    func ordersPage(_ visit: Visit) async throws -> Response {
        let status = visit.query("status").flatMap { Self.orderStatuses.contains($0) ? $0 : nil }
        // The customer field takes an account id, or part of an email or name (one account must match).
        var customerId = visit.query("customer")
        if let text = customerId, UUID(uuidString: text) == nil {
            let accounts = try await api.get("/customers", query: [("q", text), ("limit", "20")], as: visit.caller)[
                "items"
            ].array
            guard accounts.count == 1 else {
                // None, or several: say so, and let the staff member choose.
                let choices = accounts.map { account in
                    ["id": account["id"].text, "email": account["email"].text, "name": account["name"].text]
                }
                let page = visit.layout(
                    title: "Orders", nav: "orders",
                    [
                        "statuses": Self.options(Self.orderStatuses, selected: status), "filter": ["customer": text],
                        "customerText": text, "customers": choices, "noCustomer": choices.isEmpty,
                        "manyCustomers": !choices.isEmpty,
                    ])
                return pages.response("orders", page)
            }
            customerId = accounts[0]["id"].text
        }
        let filter: [(String, String?)] = [
            ("status", status), ("number", visit.query("number")), ("shippingCity", visit.query("city")),
            ("shippingCountry", visit.query("country")), ("customerId", customerId),
            ("from", visit.query("from").flatMap { Self.startOfDay($0) }),
            ("to", visit.query("to").flatMap { Self.startOfDay($0, plusDays: 1) }),
        ]
        let page = try await api.get(
            "/orders", query: filter + [("limit", "50"), ("cursor", visit.query("cursor"))], as: visit.caller)
        let orders = page["items"].array.map { order -> [String: Any] in
            [
                "id": order["id"].text, "number": order["number"].text, "status": order["status"].text,
                "statusLabel": Self.label(order["status"].text), "placed": Self.minute(order["createdAt"].text),
                "customerId": order["customerId"].text, "city": order["shippingAddress"]["city"].text,
                "country": order["shippingAddress"]["country"].text, "total": Self.money(order["total"]),
            ]
        }
        let keep: [(String, String?)] = ["status", "number", "city", "country", "customer", "from", "to"].map {
            ($0, visit.query($0))
        }
        var context: [String: Any] = [
            "orders": orders, "count": orders.count, "filtered": keep.contains { $0.1 != nil },
            "filter": Dictionary(uniqueKeysWithValues: keep.map { ($0.0, $0.1 ?? "") }),
            "statuses": Self.options(Self.orderStatuses, selected: status),
        ]
        if let cursor = page["nextCursor"].string {
            context["next"] = "/admin/orders" + StaffAPI.queryString(keep + [("cursor", cursor)])
        }
        return pages.response("orders", visit.layout(title: "Orders", nav: "orders", context))
    }

    func orderPage(_ visit: Visit) async throws -> Response {
        let id = visit.parameter("id")
        let order = try await api.get("/orders/\(Form.encode(id))", as: visit.caller)
        async let history = api.get("/orders/\(Form.encode(id))/history", as: visit.caller)
        async let slips = api.get("/packing-slips", query: [("orderId", id)], as: visit.caller)
        async let shipments = api.get("/shipments", query: [("orderId", id)], as: visit.caller)
        async let invoices = api.get("/invoices", query: [("orderId", id)], as: visit.caller)
        async let reservations = api.get("/reservations", query: [("orderId", id)], as: visit.caller)
        let skus = order["lines"].array.map(\.["sku"].text)
        async let parts = api.get(
            "/parts", query: [("skus", skus.joined(separator: ",")), ("limit", "100")], as: visit.caller)
        let status = order["status"].text
        let back = "/admin/orders/\(id)"
        // A kit's components, by the kit's SKU (one call for every line's part).
        var components: [String: [(sku: String, quantity: Int)]] = [:]
        for part in try await parts["items"].array where !part["components"].array.isEmpty {
            components[part["sku"].text] = part["components"].array.map { ($0["sku"].text, $0["quantity"].int ?? 0) }
        }
        return pages.response(
            "order",
            visit.layout(
                title: "Order \(order["number"].text)", nav: "orders",
                [
                    "order": [
                        "id": id, "number": order["number"].text, "status": status, "statusLabel": Self.label(status),
                        "customerId": order["customerId"].text, "placed": Self.minute(order["createdAt"].text),
                        "updated": Self.minute(order["updatedAt"].text), "ship": order["shippingAddress"].object,
                        "subtotal": Self.money(order["subtotal"]), "tax": Self.money(order["tax"]),
                        "taxRate": order["taxRate"].text, "total": Self.money(order["total"]),
                        "lines": order["lines"].array.map { line in
                            let quantity = line["quantity"].int ?? 0
                            return [
                                "sku": line["sku"].text, "name": line["name"].text, "quantity": quantity,
                                "unitPrice": Self.money(line["unitPrice"]), "lineTotal": Self.money(line["lineTotal"]),
                                "components": (components[line["sku"].text] ?? []).map { component in
                                    ["sku": component.sku, "quantity": component.quantity * quantity]
                                },
                            ] as [String: Any]
                        },
                    ] as [String: Any],
                    "history": try await history["items"].array.map { entry in
                        [
                            "at": Self.minute(entry["at"].text), "from": Self.label(entry["from"].text),
                            "to": Self.label(entry["to"].text), "actor": entry["actor"].text,
                            "reason": entry["reason"].text,
                        ]
                    },
                    "slips": try await slips["items"].array.map { Self.slipRow($0, back: back, showOrder: false) },
                    "shipments": try await shipments["items"].array.map { shipment in
                        [
                            "carrier": shipment["carrier"].text, "trackingNumber": shipment["trackingNumber"].text,
                            "status": shipment["status"].text, "shipped": Self.minute(shipment["shippedAt"].text),
                        ]
                    },
                    "invoices": try await invoices["items"].array.map(Self.invoiceRow),
                    "reservations": try await reservations["items"].array.map { line in
                        [
                            "warehouse": line["warehouse"].text, "sku": line["sku"].text,
                            "quantity": line["quantity"].text, "bin": line["bin"].text, "kit": line["bundleSku"].text,
                            "status": line["status"].text,
                        ]
                    },
                    "cancellable": ["pending_confirmation", "confirmed", "sent_to_warehouse"].contains(status),
                ]))
    }

    func cancelOrder(_ visit: Visit) async throws -> Response {
        let id = visit.parameter("id")
        // Staff give a reason: the customer and the accounts see it in the order's history.
        let reason = (visit.form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else {
            throw Problem.validation([FieldError(field: "reason", message: "say why the order is cancelled")])
        }
        _ = try await api.post(
            "/orders/\(Form.encode(id))/cancel", ["reason": reason], key: visit.form["key"], as: visit.caller)
        return Pages.redirect("/admin/orders/\(Form.encode(id))?done=" + Form.encode("The order is cancelled."))
    }

    // MARK: - What the pages show

    /// `"12.50 EUR"` from a money object.
    static func money(_ value: JSONValue) -> String {
        guard let amount = value["amount"].string else { return "" }
        return "\(amount) \(value["currency"].text)"
    }

    /// `2026-12-07 13:05` (UTC) from an RFC 3339 time.
    static func minute(_ time: String) -> String {
        guard time.count >= 16 else { return time }
        return String(time.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// `sent to warehouse` from `sent_to_warehouse`.
    static func label(_ status: String) -> String { status.replacingOccurrences(of: "_", with: " ") }

    /// A select's options, one of them selected.
    static func options(_ values: [String], selected: String?) -> [[String: Any]] {
        values.map { ["value": $0, "label": label($0), "selected": $0 == selected] }
    }

    /// The RFC 3339 start (UTC) of the day `date` (`YYYY-MM-DD`) plus `days`, or `nil` when it is no date.
    static func startOfDay(_ date: String, plusDays days: Int = 0) -> String? {
        guard let day = try? Date(date + "T00:00:00Z", strategy: .iso8601) else { return nil }
        return day.addingTimeInterval(Double(days) * 86_400).formatted(.iso8601)
    }
}
