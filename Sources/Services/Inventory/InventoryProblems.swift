import ServiceKit

/// The inventory service's problem codes.
enum InventoryProblems {
    static func warehouseExists(_ code: String) -> Problem {
        .conflict("inventory.warehouse_exists", "A warehouse with code \(code) already exists.")
    }

    static func warehouseNotFound(_ code: String) -> Problem {
        .notFound("inventory.warehouse_not_found", "No warehouse \(code).")
    }

    static func stockNotFound(_ code: String, _ sku: String) -> Problem {
        .notFound("inventory.stock_not_found", "Warehouse \(code) has no stock row for \(sku).")
    }

    static func skuNotFound(_ sku: String) -> Problem {
        .notFound("inventory.sku_not_found", "No part or kit \(sku) is known to inventory.")
    }

    static func bundleHasNoStock(_ sku: String) -> Problem {
        .conflict(
            "inventory.bundle_has_no_stock",
            "\(sku) is a kit: it has no stock of its own; set the stock of its components.")
    }
}
