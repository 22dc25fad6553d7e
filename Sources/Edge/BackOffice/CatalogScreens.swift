import Foundation
import Hummingbird
import NIOCore
import ServiceKit

/// The catalog: searching parts and models, a part with what it fits (changing its price and status),
/// a model with the parts that fit it, and CSV imports with their progress.
extension BackOffice {
    static let partStatuses = ["active", "discontinued"]
    /// The largest CSV file the back office passes on (bigger imports go to the API directly).
    static let importLimit = 1 << 20

    func catalogPage(_ visit: Visit) async throws -> Response {
        let status = visit.query("status").flatMap { Self.partStatuses.contains($0) ? $0 : nil }
        let model = visit.query("model")
        async let models = searchModels(model, as: visit.caller)
        let parts = try await api.get(
            "/parts",
            query: [("q", visit.query("q")), ("status", status), ("limit", "50"), ("cursor", visit.query("cursor"))],
            as: visit.caller)
        var context: [String: Any] = [
            "q": visit.query("q") ?? "", "model": model ?? "",
            "statuses": Self.options(Self.partStatuses, selected: status),
            "parts": parts["items"].array.map(Self.partRow),
            "showModels": model != nil,
            "models": try await models.map(Self.modelRow),
        ]
        if let cursor = parts["nextCursor"].string {
            context["nextParts"] =
                "/admin/catalog"
                + StaffAPI.queryString([("q", visit.query("q")), ("status", status), ("cursor", cursor)])
        }
        return pages.response("catalog", visit.layout(title: "Catalog", nav: "catalog", context))
    }

    /// The models matching `text` (none without it).
    private func searchModels(_ text: String?, as caller: StaffAPI.Caller) async throws -> [JSONValue] {
        guard let text else { return [] }
        return try await api.get("/models", query: [("q", text), ("limit", "50")], as: caller)["items"].array
    }

    func partPage(_ visit: Visit) async throws -> Response {
        let sku = Form.encode(visit.parameter("sku"))
        async let fits = api.get("/parts/\(sku)/models", query: [("limit", "100")], as: visit.caller)
        let part = try await api.get("/parts/\(sku)", as: visit.caller)
        var row = Self.partRow(part)
        let components = part["components"].array.map { ["sku": $0["sku"].text, "quantity": $0["quantity"].text] }
        row.merge(
            [
                "description": part["description"].text, "version": part["version"].text,
                "updated": Self.minute(part["updatedAt"].text), "category": part["category"].text,
                "supersededBy": part["supersededBy"].text, "amount": part["price"]["amount"].text,
                "currency": part["price"]["currency"].text, "components": components,
                "hasComponents": !components.isEmpty,
                "statuses": Self.options(Self.partStatuses, selected: part["status"].text),
            ]
        ) { _, new in new }
        let fitted = try await fits["items"].array.map { item -> [String: Any] in
            var model = Self.modelRow(item["model"])
            model["position"] = item["fitment"]["position"].text
            model["quantity"] = item["fitment"]["quantity"].text
            return model
        }
        return pages.response(
            "part", visit.layout(title: part["name"].text, nav: "catalog", ["part": row, "fits": fitted]))
    }

    func updatePart(_ visit: Visit) async throws -> Response {
        let sku = visit.parameter("sku")
        let part = try await api.get("/parts/\(Form.encode(sku))", as: visit.caller)
        var changes: [String: Any] = [
            "price": ["amount": visit.form["amount"] ?? "", "currency": part["price"]["currency"].text]
        ]
        if let status = visit.form["status"], Self.partStatuses.contains(status) { changes["status"] = status }
        _ = try await api.patch("/parts/\(Form.encode(sku))", changes, key: visit.form["key"], as: visit.caller)
        return Pages.redirect("/admin/catalog/parts/\(Form.encode(sku))?done=" + Form.encode("Saved."))
    }

    func modelPage(_ visit: Visit) async throws -> Response {
        let id = Form.encode(visit.parameter("id"))
        let model = try await api.get("/models/\(id)", as: visit.caller)
        let parts = try await api.get(
            "/models/\(id)/parts", query: [("limit", "100"), ("cursor", visit.query("cursor"))], as: visit.caller)
        var context = Self.modelRow(model)
        context["parts"] = parts["items"].array.map(Self.partRow)
        if let cursor = parts["nextCursor"].string {
            context["next"] = "/admin/catalog/models/\(id)?cursor=\(Form.encode(cursor))"
        }
        return pages.response(
            "model", visit.layout(title: context["label"] as? String ?? "Model", nav: "catalog", context))
    }

    func importsPage(_ visit: Visit) async throws -> Response {
        pages.response("imports", visit.layout(title: "Import a CSV file", nav: "catalog", [:]))
    }

    /// The import form's file, posted by `/admin/import.js` as `text/csv` with the session's CSRF token in
    /// `X-CSRF-Token`; answers the import's page to go to.
    func startImport(_ visit: Visit) async throws -> Response {
        let kind = visit.query("kind") ?? "parts"
        guard ["parts", "models", "fitments"].contains(kind) else {
            throw Problem.validation([FieldError(field: "kind", message: "parts, models or fitments")])
        }
        guard let csv = try? await visit.request.body.collect(upTo: Self.importLimit) else {
            throw Problem(
                status: .contentTooLarge, code: "admin.import_too_large",
                detail: "The back office takes files up to 1 MiB; send larger ones to POST /api/v1/imports.")
        }
        let job = try await api.upload("/imports?kind=\(kind)", csv: csv, as: visit.caller)
        var response = Response(status: .accepted, headers: Pages.securityHeaders)
        response.headers[.location] = "/admin/catalog/imports/\(Form.encode(job["id"].text))"
        return response
    }

    func importPage(_ visit: Visit) async throws -> Response {
        let job = try await api.get("/imports/\(Form.encode(visit.parameter("id")))", as: visit.caller)
        let errors = job["errors"].array.map { "line \($0["line"].text): \($0["message"].text)" }
        return pages.response(
            "import",
            visit.layout(
                title: "Import", nav: "catalog",
                [
                    "kind": job["kind"].text, "status": job["status"].text, "running": job["status"].text == "running",
                    "rows": job["rows"].text, "created": job["created"].text, "updated": job["updated"].text,
                    "unchanged": job["unchanged"].text, "failed": job["failed"].text,
                    "rowsPerSecond": job["rowsPerSecond"].int.map(String.init) ?? "",
                    "started": Self.minute(job["startedAt"].text), "finished": Self.minute(job["finishedAt"].text),
                    "errors": errors, "hasErrors": !errors.isEmpty,
                ]))
    }

    static func partRow(_ part: JSONValue) -> [String: Any] {
        [
            "sku": part["sku"].text, "name": part["name"].text, "kind": part["kind"].text,
            "status": part["status"].text, "price": money(part["price"]),
        ]
    }

    static func modelRow(_ model: JSONValue) -> [String: Any] {
        let years = [model["yearFrom"].text, model["yearTo"].text].filter { !$0.isEmpty }.joined(separator: "–")
        let label = [model["make"].text, model["model"].text, model["variant"].text].filter { !$0.isEmpty }
            .joined(separator: " ")
        return [
            "id": model["id"].text, "make": model["make"].text, "model": model["model"].text,
            "variant": model["variant"].text, "kind": model["kind"].text, "engine": model["engine"].text,
            "years": years, "label": label,
        ]
    }
}
