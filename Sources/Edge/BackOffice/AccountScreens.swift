import Foundation
import Hummingbird
import ServiceKit

/// The accounts: receivables by age bucket, invoices filtered by status, an invoice with its payments
/// and credit note, recording a payment, and the printable invoice.
extension BackOffice {
    static let invoiceStatuses = ["issued", "partially_paid", "paid", "credited"]

    func invoicesPage(_ visit: Visit) async throws -> Response {
        let status = visit.query("status").flatMap { Self.invoiceStatuses.contains($0) ? $0 : nil }
        async let receivables = api.get("/receivables", query: [("limit", "10")], as: visit.caller)
        let page = try await api.get(
            "/invoices", query: [("status", status), ("limit", "50"), ("cursor", visit.query("cursor"))],
            as: visit.caller)
        let owed = try await receivables
        var context: [String: Any] = [
            "oldest": owed["items"].array.map { item in
                [
                    "id": item["invoiceId"].text, "number": item["number"].text,
                    "orderNumber": item["orderNumber"].text, "issued": Self.minute(item["issuedAt"].text),
                    "ageDays": item["ageDays"].text, "balance": Self.money(item["balance"]),
                ]
            },
            "buckets": owed["totals"].array.map { total in
                [
                    "bucket": total["bucket"].text, "count": total["invoices"].text,
                    "balance": Self.money(total["balance"]),
                ]
            },
            "statuses": Self.options(Self.invoiceStatuses, selected: status),
            "invoices": page["items"].array.map(Self.invoiceRow),
        ]
        if let cursor = page["nextCursor"].string {
            context["next"] = "/admin/invoices" + StaffAPI.queryString([("status", status), ("cursor", cursor)])
        }
        return pages.response("invoices", visit.layout(title: "Accounts", nav: "accounts", context))
    }

    func invoicePage(_ visit: Visit) async throws -> Response {
        let invoice = try await api.get("/invoices/\(Form.encode(visit.parameter("id")))", as: visit.caller)
        let status = invoice["status"].text
        var row = Self.invoiceRow(invoice)
        row["buyer"] = invoice["buyer"].object
        row["net"] = Self.money(invoice["net"])
        row["tax"] = Self.money(invoice["tax"])
        row["paid"] = Self.money(invoice["paid"])
        row["lines"] = invoice["lines"].array.map { line in
            [
                "sku": line["sku"].text, "name": line["name"].text, "quantity": line["quantity"].text,
                "net": Self.money(line["net"]), "tax": Self.money(line["tax"]), "gross": Self.money(line["gross"]),
            ]
        }
        row["payments"] = invoice["payments"].array.map { payment in
            [
                "at": Self.minute(payment["at"].text), "method": Self.label(payment["method"].text),
                "reference": payment["reference"].text, "amount": Self.money(payment["amount"]),
            ]
        }
        if invoice["creditNote"].raw is [String: Any] {
            let note = invoice["creditNote"]
            row["creditNote"] = [
                "number": note["number"].text, "reason": note["reason"].text, "gross": Self.money(note["gross"]),
            ]
        }
        return pages.response(
            "invoice",
            visit.layout(
                title: "Invoice \(invoice["number"].text)", nav: "accounts",
                [
                    "invoice": row, "payable": status == "issued" || status == "partially_paid",
                    "balanceAmount": invoice["balance"]["amount"].text, "currency": invoice["balance"]["currency"].text,
                ]))
    }

    func recordPayment(_ visit: Visit) async throws -> Response {
        let id = visit.parameter("id")
        let invoice = try await api.get("/invoices/\(Form.encode(id))", as: visit.caller)
        let body: [String: Any] = [
            "amount": ["amount": visit.form["amount"] ?? "", "currency": invoice["balance"]["currency"].text],
            "method": visit.form["method"] ?? "", "reference": visit.form["reference"] ?? "",
        ]
        _ = try await api.post("/invoices/\(Form.encode(id))/payments", body, key: visit.form["key"], as: visit.caller)
        return Pages.redirect("/admin/invoices/\(Form.encode(id))?done=" + Form.encode("The payment is recorded."))
    }

    func invoicePrint(_ visit: Visit) async throws -> Response {
        Pages.html(try await api.page("/invoices/\(Form.encode(visit.parameter("id")))", as: visit.caller))
    }

    static func invoiceRow(_ invoice: JSONValue) -> [String: Any] {
        [
            "id": invoice["id"].text, "number": invoice["number"].text, "orderId": invoice["orderId"].text,
            "orderNumber": invoice["orderNumber"].text, "issued": minute(invoice["issuedAt"].text),
            "status": invoice["status"].text, "statusLabel": label(invoice["status"].text),
            "gross": money(invoice["gross"]), "balance": money(invoice["balance"]),
        ]
    }
}
