import Foundation
import ServiceKit

/// Whether a part may be ordered.
public enum PartStatus: String, Sendable, CaseIterable {
    case active
    case discontinued
}

/// A plain part, or a bundle (kit) made of other parts.
public enum PartKind: String, Sendable, CaseIterable {
    case part
    case bundle
}

/// One line of a bundle's recipe.
public struct ComponentLine: Sendable, Equatable, Hashable {
    public var sku: String
    public var quantity: Int

    public init(sku: String, quantity: Int) {
        self.sku = sku
        self.quantity = quantity
    }
}

/// A catalog part: what is sold, at what price, and (for a bundle) what it consists of.
public struct Part: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var description: String
    public var price: Money
    public var status: PartStatus
    public var weightGrams: Int?
    public var attributes: [String: String]
    public var components: [ComponentLine]
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int
    /// The category the part is in (see ``CategoryTree``), if any.
    public var categoryId: String? = nil

    /// A bundle is a part with components.
    public var kind: PartKind { components.isEmpty ? .part : .bundle }
}

/// The fields a client sends to create a part, not yet validated.
public struct PartDraft: Sendable {
    public var sku: String
    public var name: String
    public var description: String?
    public var price: (amount: String, currency: String)
    public var weightGrams: Int?
    public var attributes: [String: String]?
    public var components: [(sku: String, quantity: Int)]?
    /// A category path, e.g. `Brakes › Pads`, made when missing.
    public var category: String?

    public init(
        sku: String, name: String, description: String? = nil, price: (amount: String, currency: String),
        weightGrams: Int? = nil, attributes: [String: String]? = nil, components: [(sku: String, quantity: Int)]? = nil,
        category: String? = nil
    ) {
        self.category = category
        self.sku = sku
        self.name = name
        self.description = description
        self.price = price
        self.weightGrams = weightGrams
        self.attributes = attributes
        self.components = components
    }
}

/// The fields a client sends to change a part; `nil` leaves a field as it is.
public struct PartChanges: Sendable {
    public var name: String?
    public var description: String?
    public var price: (amount: String, currency: String)?
    public var weightGrams: Int?
    public var attributes: [String: String]?
    public var components: [(sku: String, quantity: Int)]?
    public var status: PartStatus?
    /// A category path to move the part to; an empty string takes it out of any category.
    public var category: String?

    public init(
        name: String? = nil, description: String? = nil, price: (amount: String, currency: String)? = nil,
        weightGrams: Int? = nil, attributes: [String: String]? = nil,
        components: [(sku: String, quantity: Int)]? = nil, status: PartStatus? = nil, category: String? = nil
    ) {
        self.category = category
        self.name = name
        self.description = description
        self.price = price
        self.weightGrams = weightGrams
        self.attributes = attributes
        self.components = components
        self.status = status
    }
}
