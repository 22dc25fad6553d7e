import SQLKit
import ServiceKit

/// What a part listing may be narrowed to.
public struct PartFilter: Sendable {
    public var query: String?
    public var status: PartStatus?
    public var kind: PartKind?

    public init(query: String? = nil, status: PartStatus? = nil, kind: PartKind? = nil) {
        self.query = query
        self.status = status
        self.kind = kind
    }
}

extension CatalogStore {
    /// One page of parts ordered by SKU; every word of `filter.query` must appear in SKU, name or description.
    public func list(_ filter: PartFilter, page: PageRequest) async throws -> Page<Part> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let after = page.after.first { conditions.append("sku > \(bind: after.uppercased())") }
        if let status = filter.status { conditions.append("status = \(bind: status.rawValue)") }
        switch filter.kind {
        case .bundle?: conditions.append("EXISTS (SELECT 1 FROM part_components c WHERE c.bundle_sku = parts.sku)")
        case .part?: conditions.append("NOT EXISTS (SELECT 1 FROM part_components c WHERE c.bundle_sku = parts.sku)")
        case nil: break
        }
        let words = (filter.query ?? "").lowercased().split(whereSeparator: \.isWhitespace).prefix(10)
        for word in words {
            let pattern = "%" + Self.escapeLike(String(word)) + "%"
            conditions.append("search_text LIKE \(bind: pattern) ESCAPE '\\'")
        }
        let whereClause = conditions.joined(separator: " AND ")
        return try await database.read { db in
            let rows = try await db.raw(
                "SELECT * FROM parts WHERE \(whereClause) ORDER BY sku LIMIT \(bind: page.limit + 1)"
            ).all()
            let skus = try rows.map { try $0.decode(column: "sku", as: String.self) }
            let components = try await loadComponents(of: skus, in: db)
            let parts = try rows.map { row in
                let sku = try row.decode(column: "sku", as: String.self)
                return try Self.part(from: row, components: components[sku] ?? [])
            }
            return Page(fetched: parts, limit: page.limit) { [$0.sku] }
        }
    }

    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
