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

extension CatalogProblems {
    static func modelTaken(_ id: String) -> Problem {
        .conflict("catalog.model_exists", "A model with id \(id) already exists.")
    }

    static func categoryNotFound(_ id: String) -> Problem {
        .notFound("catalog.category_not_found", "No category \(id).")
    }

    static func fitmentNotFound(_ sku: String, _ modelId: String) -> Problem {
        .notFound("catalog.fitment_not_found", "\(sku) is not fitted to model \(modelId).")
    }
}
