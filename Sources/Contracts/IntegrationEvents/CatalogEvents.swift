import Foundation

/// One component of a bundle: a SKU and how many per bundle.
public struct ComponentQuantity: Codable, Sendable, Equatable {
    public var sku: String
    public var quantity: Int

    public init(sku: String, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// `catalog.part.upserted`: a part was created or changed; carries everything a replica keeps.
public struct CatalogPartUpserted: IntegrationEvent, Equatable {
    public static let type = "catalog.part.upserted"
    public static let source = "/catalog"

    public var sku: String
    public var name: String
    public var price: MoneyAmount
    /// `active` or `discontinued`.
    public var status: String
    /// `part` or `bundle`.
    public var kind: String
    public var components: [ComponentQuantity]
    public var weightGrams: Int?
    /// Grows with every change: consumers ignore an event older than what they hold.
    public var version: Int
    public var updatedAt: Date

    public var subject: String { sku }

    public init(
        sku: String, name: String, price: MoneyAmount, status: String, kind: String, components: [ComponentQuantity],
        weightGrams: Int?, version: Int, updatedAt: Date
    ) {
        self.sku = sku
        self.name = name
        self.price = price
        self.status = status
        self.kind = kind
        self.components = components
        self.weightGrams = weightGrams
        self.version = version
        self.updatedAt = updatedAt
    }
}

/// `catalog.part.discontinued`: the part may no longer be ordered.
public struct CatalogPartDiscontinued: IntegrationEvent, Equatable {
    public static let type = "catalog.part.discontinued"
    public static let source = "/catalog"

    public var sku: String
    public var version: Int
    public var discontinuedAt: Date

    public var subject: String { sku }

    public init(sku: String, version: Int, discontinuedAt: Date) {
        self.sku = sku
        self.version = version
        self.discontinuedAt = discontinuedAt
    }
}

/// `catalog.part.superseded`: `supersededBy` replaces `sku`; a replica follows the chain to the newest
/// active part to name what to order instead of a discontinued one.
public struct CatalogPartSuperseded: IntegrationEvent, Equatable {
    public static let type = "catalog.part.superseded"
    public static let source = "/catalog"

    public var sku: String
    public var supersededBy: String
    public var at: Date

    public var subject: String { sku }

    public init(sku: String, supersededBy: String, at: Date) {
        self.sku = sku
        self.supersededBy = supersededBy
        self.at = at
    }
}

/// `catalog.parts.upserted`: many parts created or changed at once, by an import. Each entry is what
/// `catalog.part.upserted` would carry; an import of a million parts publishes two thousand of these, not
/// a million events.
public struct CatalogPartsUpserted: IntegrationEvent, Equatable {
    public static let type = "catalog.parts.upserted"
    public static let source = "/catalog"
    /// The most parts one event carries (about 150 KB of JSON).
    public static let maxParts = 500

    public var parts: [CatalogPartUpserted]

    public var subject: String { parts.first?.sku ?? "-" }

    public init(parts: [CatalogPartUpserted]) {
        self.parts = parts
    }
}
