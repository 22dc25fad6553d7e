import ServiceKit

/// The catalog's problem codes.
enum CatalogProblems {
    static func notFound(_ sku: String) -> Problem {
        .notFound("catalog.part_not_found", "No part with SKU \(sku).")
    }

    static func modelNotFound(_ id: String) -> Problem {
        .notFound("catalog.model_not_found", "No model \(id).")
    }
}
