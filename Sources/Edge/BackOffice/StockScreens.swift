import Foundation
import Hummingbird
import ServiceKit

/// The stock: a warehouse's rows by SKU (or only those at or below their reorder point), a row with its
/// ledger, and adjusting it with a reason.
extension BackOffice {
    func stockPage(_ visit: Visit) async throws -> Response {
        let warehouses = try await api.get("/warehouses", as: visit.caller)["items"].array
        let code = visit.query("code") ?? Self.defaultWarehouse(warehouses)
        let low = visit.query("low") != nil
        let page = try await api.get(
            "/warehouses/\(Form.encode(code))/stock",
            query: [
                ("sku", visit.query("sku")), ("low", low ? "true" : nil), ("limit", "100"),
                ("cursor", visit.query("cursor")),
            ], as: visit.caller)
        var context: [String: Any] = [
            "warehouse": code, "sku": visit.query("sku") ?? "", "low": low,
            "warehouses": Self.warehouseOptions(warehouses, selected: code),
            "rows": page["items"].array.map(Self.stockRow),
        ]
        if let cursor = page["nextCursor"].string {
            context["next"] =
                "/admin/stock"
                + StaffAPI.queryString([
                    ("code", code), ("sku", visit.query("sku")), ("low", low ? "1" : nil), ("cursor", cursor),
                ])
        }
        return pages.response("stock", visit.layout(title: "Stock in \(code)", nav: "stock", context))
    }

    func stockRowPage(_ visit: Visit) async throws -> Response {
        let (code, sku) = (visit.parameter("code"), visit.parameter("sku"))
        let path = "/warehouses/\(Form.encode(code))/stock"
        let rows = try await api.get(path, query: [("sku", sku), ("limit", "1")], as: visit.caller)["items"].array
        guard let row = rows.first, row["sku"].text == sku.uppercased() else {
            throw Problem(status: .notFound, code: "inventory.stock_not_found", detail: "\(code) keeps no \(sku).")
        }
        let ledger = try await api.get(
            "\(path)/\(Form.encode(sku))/ledger", query: [("limit", "50"), ("cursor", visit.query("cursor"))],
            as: visit.caller)
        var context: [String: Any] = [
            "row": Self.stockRow(row),
            "ledger": ledger["items"].array.map { entry in
                [
                    "at": Self.minute(entry["at"].text), "cause": entry["cause"].text,
                    "onHandDelta": Self.signed(entry["onHandDelta"].int ?? 0),
                    "reservedDelta": Self.signed(entry["reservedDelta"].int ?? 0),
                    "onHandAfter": entry["onHandAfter"].text, "orderId": entry["orderId"].text,
                    "reason": entry["reason"].text, "actor": entry["actor"].text,
                ] as [String: Any]
            },
        ]
        if let cursor = ledger["nextCursor"].string {
            context["next"] = "/admin/stock/\(Form.encode(code))/\(Form.encode(sku))?cursor=" + Form.encode(cursor)
        }
        return pages.response("stock-row", visit.layout(title: "\(sku) in \(code)", nav: "stock", context))
    }

    func adjustStock(_ visit: Visit) async throws -> Response {
        let (code, sku) = (visit.parameter("code"), visit.parameter("sku"))
        let text = (visit.form["delta"] ?? "").trimmingCharacters(in: .whitespaces)
        guard let delta = Int(text.hasPrefix("+") ? String(text.dropFirst()) : text), delta != 0,
            abs(delta) <= 1_000_000
        else {
            throw Problem.validation([FieldError(field: "delta", message: "a whole number of units, not 0")])
        }
        let row = try await api.post(
            "/warehouses/\(Form.encode(code))/stock/\(Form.encode(sku))/adjustments",
            ["delta": delta, "reason": visit.form["reason"] ?? ""], key: visit.form["key"], as: visit.caller)
        return Pages.redirect(
            "/admin/stock/\(Form.encode(code))/\(Form.encode(sku))?done="
                + Form.encode("Adjusted by \(Self.signed(delta)): \(row["onHand"].text) on hand."))
    }

    static func stockRow(_ row: JSONValue) -> [String: Any] {
        let available = row["available"].int ?? 0
        let reorderPoint = row["reorderPoint"].int
        return [
            "warehouse": row["warehouse"].text, "sku": row["sku"].text, "bin": row["bin"].text,
            "onHand": row["onHand"].text, "reserved": row["reserved"].text, "available": available,
            "reorderPoint": reorderPoint.map(String.init) ?? "", "low": reorderPoint.map { available <= $0 } ?? false,
            "updated": minute(row["updatedAt"].text),
        ]
    }

    static func signed(_ value: Int) -> String { value > 0 ? "+\(value)" : "\(value)" }

    /// The default warehouse's code (or the first's).
    static func defaultWarehouse(_ warehouses: [JSONValue]) -> String {
        warehouses.first { $0["default"].raw as? Bool == true }?["code"].string ?? warehouses.first?["code"].text ?? ""
    }

    static func warehouseOptions(_ warehouses: [JSONValue], selected: String) -> [[String: Any]] {
        warehouses.map {
            ["code": $0["code"].text, "name": $0["name"].text, "selected": $0["code"].text == selected.uppercased()]
        }
    }
}
