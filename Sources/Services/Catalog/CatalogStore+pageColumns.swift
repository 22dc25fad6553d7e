import SQLKit
import ServiceKit

/// What a page of parts carries beside each part, read in the page's own statement: a round trip each
/// was most of a fit query's time on PostgreSQL.
extension CatalogStore {
    /// The part that replaces a part directly, and the one to sell instead (``SupersessionRules/current(of:successors:active:)``).
    typealias Replacement = (supersededBy: String?, current: String?)

    /// Two columns for each row of `page`, as text of space-separated pairs (a SKU holds no space):
    /// - `components`: a kit's recipe in order, `SKU quantity …`; `NULL` for a plain part;
    /// - `chain`: the parts that supersede it, nearest first, each marked 1 when active, `SKU 1 SKU 0 …`;
    ///   `NULL` when nothing does. Each step is a lookup by key (joined, PostgreSQL hashes every
    ///   supersession at each step), and a chain is at most ``SupersessionRules/maxChain`` long.
    static let pageDetailColumns: SQLQueryString = """
        (SELECT string_agg(c.component_sku || ' ' || c.quantity, ' ' ORDER BY c.position)
            FROM part_components c WHERE c.bundle_sku = page.sku) AS components,
        (WITH RECURSIVE ahead(sku, depth) AS (
            SELECT s.superseded_by, 1 FROM supersessions s WHERE s.sku = page.sku
            UNION ALL
            SELECT (SELECT s.superseded_by FROM supersessions s WHERE s.sku = a.sku), a.depth + 1
            FROM ahead a WHERE a.sku IS NOT NULL AND a.depth <= \(unsafeRaw: String(SupersessionRules.maxChain)))
        SELECT string_agg(
            a.sku || ' ' || CASE WHEN (SELECT p.status FROM parts p WHERE p.sku = a.sku) = 'active' THEN 1 ELSE 0 END,
            ' ' ORDER BY a.depth)
        FROM ahead a WHERE a.sku IS NOT NULL) AS chain
        """

    /// A kit's recipe from its `components` column.
    static func componentLines(_ text: String) -> [ComponentLine] {
        pairs(text).map { ComponentLine(sku: $0.0, quantity: Int($0.1) ?? 0) }
    }

    /// Part `sku`'s replacement from its `chain` column.
    static func replacement(of sku: String, chain text: String) -> Replacement {
        var successors: [String: String] = [:]
        var active: Set<String> = []
        var previous = sku
        for (next, isActive) in pairs(text) {
            successors[previous] = next
            if isActive == "1" { active.insert(next) }
            previous = next
        }
        return (successors[sku], SupersessionRules.current(of: sku, successors: successors, active: active))
    }

    private static func pairs(_ text: String) -> [(String, Substring)] {
        let words = text.split(separator: " ")
        return stride(from: 0, to: words.count - 1, by: 2).map { (String(words[$0]), words[$0 + 1]) }
    }
}
