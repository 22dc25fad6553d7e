import Foundation
import Hummingbird
import ServiceKit

/// The warehouse: a warehouse's packing slips (open by default) with what to pick, packing a slip,
/// shipping it with carrier and tracking number, and the printable slip and pick list.
extension BackOffice {
    static let slipStatuses = ["open", "packed", "shipped", "voided"]

    func warehousePage(_ visit: Visit) async throws -> Response {
        let warehouses = try await api.get("/warehouses", as: visit.caller)["items"].array
        let code = visit.query("code") ?? Self.defaultWarehouse(warehouses)
        let status = visit.query("status").flatMap { Self.slipStatuses.contains($0) ? $0 : nil } ?? "open"
        let page = try await api.get(
            "/packing-slips",
            query: [("warehouse", code), ("status", status), ("limit", "50"), ("cursor", visit.query("cursor"))],
            as: visit.caller)
        let back = "/admin/warehouse" + StaffAPI.queryString([("code", code), ("status", status)])
        var context: [String: Any] = [
            "warehouse": code,
            "warehouses": Self.warehouseOptions(warehouses, selected: code),
            "statuses": Self.options(Self.slipStatuses, selected: status),
            "slips": page["items"].array.map { Self.slipRow($0, back: back, showOrder: true) },
        ]
        if let cursor = page["nextCursor"].string {
            context["next"] = back + "&cursor=" + Form.encode(cursor)
        }
        return pages.response("warehouse", visit.layout(title: "Warehouse \(code)", nav: "warehouse", context))
    }

    func packSlip(_ visit: Visit) async throws -> Response {
        let id = visit.parameter("id")
        let slip = try await api.post(
            "/packing-slips/\(Form.encode(id))/pack", [:], key: visit.form["key"], as: visit.caller)
        return Pages.redirect(Self.after(visit, "Slip \(slip["number"].text) is packed."))
    }

    func shipSlip(_ visit: Visit) async throws -> Response {
        let body = [
            "packingSlipId": visit.parameter("id"), "carrier": visit.form["carrier"] ?? "",
            "trackingNumber": visit.form["trackingNumber"] ?? "",
        ]
        let shipment = try await api.post("/shipments", body, key: visit.form["key"], as: visit.caller)
        return Pages.redirect(
            Self.after(visit, "Slip \(shipment["packingSlipNumber"].text) shipped with \(shipment["carrier"].text)."))
    }

    func pickList(_ visit: Visit) async throws -> Response {
        Pages.html(
            try await api.page("/warehouses/\(Form.encode(visit.parameter("code")))/pick-list", as: visit.caller))
    }

    func slipPrint(_ visit: Visit) async throws -> Response {
        Pages.html(try await api.page("/packing-slips/\(Form.encode(visit.parameter("id")))", as: visit.caller))
    }

    /// What a slip's row shows: the lines to pick (a kit's components, not the kit), and the forms its
    /// status allows.
    static func slipRow(_ slip: JSONValue, back: String, showOrder: Bool) -> [String: Any] {
        let status = slip["status"].text
        return [
            "id": slip["id"].text, "number": slip["number"].text, "orderId": slip["orderId"].text,
            "orderNumber": slip["orderNumber"].text, "warehouse": slip["warehouse"].text, "status": status,
            "showOrder": showOrder, "back": back, "canPack": status == "open", "canShip": status == "packed",
            "picks": slip["lines"].array.filter { $0["kind"].text != "kit" }.map { line in
                [
                    "sku": line["sku"].text, "name": line["name"].text, "quantity": line["quantity"].text,
                    "bin": line["bin"].text,
                ]
            },
        ]
    }

    /// Where a form goes when it is done: its page, with `notice`.
    static func after(_ visit: Visit, _ notice: String) -> String {
        Form.path(visit.back ?? "/admin/warehouse", adding: "done", notice)
    }
}
