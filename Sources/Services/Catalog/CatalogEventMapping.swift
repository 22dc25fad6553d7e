import IntegrationEvents
import ServiceKit

/// The catalog's published events, built from parts.
enum CatalogEventMapping {
    static func upserted(_ part: Part) -> CatalogPartUpserted {
        CatalogPartUpserted(
            sku: part.sku, name: part.name,
            price: MoneyAmount(amount: part.price.decimal, currency: part.price.currency),
            status: part.status.rawValue, kind: part.kind.rawValue,
            components: part.components.map { ComponentQuantity(sku: $0.sku, quantity: $0.quantity) },
            weightGrams: part.weightGrams, version: part.version, updatedAt: part.updatedAt
        )
    }
}
