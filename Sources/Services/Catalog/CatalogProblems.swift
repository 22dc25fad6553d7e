import ServiceKit

/// The catalog's problem codes.
enum CatalogProblems {
    static func notFound(_ sku: String) -> Problem {
        .notFound("catalog.part_not_found", "No part with SKU \(sku).")
    }
}
