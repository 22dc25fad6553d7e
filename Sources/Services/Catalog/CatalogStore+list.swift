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
    /// Only these SKUs (normalised).
    public var skus: [String]?

    public init(
        query: String? = nil, status: PartStatus? = nil, kind: PartKind? = nil, fits: String? = nil,
        categoryId: String? = nil, skus: [String]? = nil
    ) {
        self.query = query
        self.status = status
        self.kind = kind
        self.fits = fits
        self.categoryId = categoryId
        self.skus = skus
    }
}

extension CatalogStore {
    /// One page of parts ordered by SKU; every word of `filter.query` must appear in SKU, name or description.
    /// 404 when `filter.fits` names no model or `filter.categoryId` no category.
    public func list(_ filter: PartFilter, page: PageRequest) async throws -> Page<Part> {
        let result = try await detailedList(filter, page: page)
        return Page(items: result.items.map(\.part), nextCursor: result.nextCursor)
    }

    /// ``list(_:page:)`` with each part's details, read on one connection in one statement, whatever the
    /// page holds: the page with each kit's recipe and each superseded part's chain
    /// (``pageDetailColumns``), and for `fits` the kits that fit too (``kitsThatFit(_:)``). Category paths come from memory
    /// (``CategoryNodes``): a statement more only for a category not read before.
    public func detailedList(_ filter: PartFilter, page: PageRequest) async throws -> Page<PartDetails> {
        let words = (filter.query ?? "").lowercased().split(whereSeparator: \.isWhitespace).prefix(10).map(String.init)
        let searching = filter.fits == nil && filter.skus == nil && !SearchWords.trigramQueries(words).isEmpty
        // A model's few hundred fitted parts are read by key and their words checked on each. Seeing the
        // trigram index, PostgreSQL would rather read every part with a common word ("seal": 29,000) and join
        // them (140 ms instead of 3): a fit query checks its words on an expression no index holds (a
        // `SET LOCAL` would cost a transaction, three more round trips).
        let wordColumn =
            filter.fits != nil && database.engine == .postgres ? "(parts.search_text || '')" : "parts.search_text"
        return try await listing(planningSearch: searching) { db in
            var conditions: [SQLQueryString] = ["1 = 1"]
            var ctes: [SQLQueryString] = []
            // Each branch selects `parts.* FROM … WHERE …`; the conditions are added to each, which is then
            // ordered (by its SKU column, equal to `parts.sku`) and cut at a page on its own, and the page is
            // their merge.
            var branches: [(query: SQLQueryString, order: String)] = [("parts.* FROM parts WHERE 1 = 1", "parts.sku")]
            if let after = page.after.first { conditions.append("parts.sku > \(bind: after.uppercased())") }
            if let status = filter.status { conditions.append("parts.status = \(bind: status.rawValue)") }
            switch filter.kind {
            case .bundle?: conditions.append("EXISTS (SELECT 1 FROM part_components c WHERE c.bundle_sku = parts.sku)")
            case .part?:
                conditions.append("NOT EXISTS (SELECT 1 FROM part_components c WHERE c.bundle_sku = parts.sku)")
            case nil: break
            }
            if let skus = filter.skus {
                guard !skus.isEmpty else { return Page(items: [], nextCursor: nil) }
                conditions.append("parts.sku IN (\(binds: skus))")
            }
            for word in words { conditions.append(Self.contains(word, column: wordColumn)) }
            if let modelId = filter.fits {
                // Two ordered branches, each stopping at a page: the model's fitted parts in SKU order straight
                // from the fitments' primary key, and the kits that fit through their components (worked out in
                // the same statement: ``kitsThatFit(_:)``). With `parts.sku IN (fitted UNION ALL kits)`,
                // PostgreSQL read and sorted every fitted part of the model first (a model with 600: 30 ms
                // instead of 1).
                let after = page.after.first?.uppercased() ?? ""
                ctes.append(kitsThatFit(modelId))
                // Ordered by `f.sku`, the fitments' key order: SQLite sorts the whole branch for `parts.sku`.
                branches = [
                    (
                        """
                        parts.* FROM fitments f JOIN parts ON parts.sku = f.sku
                        WHERE f.model_id = \(bind: modelId) AND f.sku > \(bind: after)
                        """, "f.sku"
                    ),
                    (
                        """
                        parts.* FROM parts WHERE parts.sku IN (SELECT sku FROM kits)
                        AND NOT EXISTS (SELECT 1 FROM fitments f WHERE f.model_id = \(bind: modelId) AND f.sku = parts.sku)
                        """, "parts.sku"
                    ),
                ]
            }
            if let categoryId = filter.categoryId {
                ctes.append(
                    """
                    below(id) AS (
                        SELECT id FROM categories WHERE id = \(bind: categoryId)
                        UNION
                        SELECT c.id FROM categories c JOIN below b ON c.parent_id = b.id)
                    """)
                conditions.append("parts.category_id IN (SELECT id FROM below)")
            }
            func fetch(_ more: [SQLQueryString] = []) async throws -> [any SQLRow] {
                let limit = page.limit + 1
                let filtered = (conditions + more).joined(separator: " AND ")
                let prefix: SQLQueryString = ctes.isEmpty ? "" : "WITH RECURSIVE \(ctes.joined(separator: ", "))"
                let union = branches.enumerated().map { index, branch -> SQLQueryString in
                    """
                    SELECT * FROM (SELECT \(branch.query) AND \(filtered) ORDER BY \(unsafeRaw: branch.order)
                    LIMIT \(bind: limit)) b\(unsafeRaw: String(index))
                    """
                }.joined(separator: " UNION ALL ")
                let statement: SQLQueryString =
                    """
                    \(prefix) SELECT page.*, \(Self.pageDetailColumns)
                    FROM (\(union)) page ORDER BY page.sku LIMIT \(bind: limit)
                    """
                // A fit page's plan costs as much as running it (see ``Database/rowsReusingPlan(_:in:)``); a
                // search may run in a transaction, where the first run on a connection would abort it.
                return filter.fits != nil
                    ? try await database.rowsReusingPlan(statement, in: db) : try await db.raw(statement).all()
            }
            let rows =
                searching
                ? try await wordSearch(words, after: page.after.first?.uppercased(), limit: page.limit, in: db, fetch)
                : try await fetch()
            if rows.isEmpty {
                // Only an empty answer needs to tell an unknown model or category from one with nothing in it.
                if let modelId = filter.fits,
                    try await db.raw("SELECT id FROM models WHERE id = \(bind: modelId)").first() == nil
                {
                    throw CatalogProblems.modelNotFound(modelId)
                }
                if let categoryId = filter.categoryId,
                    try await db.raw("SELECT id FROM categories WHERE id = \(bind: categoryId)").first() == nil
                {
                    throw CatalogProblems.categoryNotFound(categoryId)
                }
            }
            var replacements: [String: Replacement] = [:]
            let parts = try rows.map { row in
                let sku = try row.decode(column: "sku", as: String.self)
                if let chain = try row.decode(column: "chain", as: String?.self) {
                    replacements[sku] = Self.replacement(of: sku, chain: chain)
                }
                let components = try row.decode(column: "components", as: String?.self).map(Self.componentLines) ?? []
                return try Self.part(from: row, components: components)
            }
            let result = Page(fetched: parts, limit: page.limit) { [$0.sku] }
            let details = try await details(of: result.items, replacements: replacements, in: db)
            return Page(items: details, nextCursor: result.nextCursor)
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
