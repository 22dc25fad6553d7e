import SQLKit
import ServiceKit

/// What a part listing may be narrowed to.
public struct PartFilter: Sendable {
    public var query: String?
    public var status: PartStatus?
    public var kind: PartKind?
    /// Only parts that fit this model (see ``CatalogStore/fittingSKUs(_:)``).
    public var fits: String?
    /// Only parts in this category or one below it.
    public var categoryId: String?

    public init(
        query: String? = nil, status: PartStatus? = nil, kind: PartKind? = nil, fits: String? = nil,
        categoryId: String? = nil
    ) {
        self.query = query
        self.status = status
        self.kind = kind
        self.fits = fits
        self.categoryId = categoryId
    }
}

extension CatalogStore {
    /// One page of parts ordered by SKU; every word of `filter.query` must appear in SKU, name or description.
    /// 404 when `filter.fits` names no model or `filter.categoryId` no category.
    public func list(_ filter: PartFilter, page: PageRequest) async throws -> Page<Part> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        var prefix: SQLQueryString = ""
        var lastBound: String?
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
        if let modelId = filter.fits {
            let skus = try await fittingSKUs(modelId)
            guard !skus.isEmpty else {
                // Only an empty answer needs to tell an unknown model from one nothing fits.
                guard try await model(modelId) != nil else { throw CatalogProblems.modelNotFound(modelId) }
                return Page(items: [], nextCursor: nil)
            }
            // A page starts after the cursor: only the SKUs it can hold are bound.
            let after = page.after.first?.uppercased() ?? ""
            let candidates = skus.filter { $0 > after }.sorted()
            guard !candidates.isEmpty else { return Page(items: [], nextCursor: nil) }
            let bound = Array(candidates.prefix(Self.maxBoundSKUs))
            if bound.count < candidates.count { lastBound = bound.last }
            conditions.append("sku IN (\(binds: bound))")
        }
        if let categoryId = filter.categoryId {
            guard try await categoryExists(categoryId) else { throw CatalogProblems.categoryNotFound(categoryId) }
            prefix = """
                WITH RECURSIVE below(id) AS (
                    SELECT id FROM categories WHERE id = \(bind: categoryId)
                    UNION
                    SELECT c.id FROM categories c JOIN below b ON c.parent_id = b.id)
                """
            conditions.append("category_id IN (SELECT id FROM below)")
        }
        let whereClause = conditions.joined(separator: " AND ")
        return try await database.read { db in
            let rows = try await db.raw(
                "\(prefix) SELECT * FROM parts WHERE \(whereClause) ORDER BY sku LIMIT \(bind: page.limit + 1)"
            ).all()
            let skus = try rows.map { try $0.decode(column: "sku", as: String.self) }
            let components = try await loadComponents(of: skus, in: db)
            let parts = try rows.map { row in
                let sku = try row.decode(column: "sku", as: String.self)
                return try Self.part(from: row, components: components[sku] ?? [])
            }
            var result = Page(fetched: parts, limit: page.limit) { [$0.sku] }
            if result.nextCursor == nil, let lastBound { result.nextCursor = PageRequest.cursor(after: [lastBound]) }
            return result
        }
    }

    /// The most SKUs one fit query binds (both engines allow far more); a model fitted with more parts
    /// than this pages through them in this many at a time, in SKU order (a page may then hold fewer
    /// items than asked, with a cursor to go on).
    static let maxBoundSKUs = 5000

    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
