import Foundation
import ServiceKit

extension Part {
    /// Validates `draft` and makes a new part (version 1); 422 listing every invalid field.
    ///
    /// Checks only what the draft itself shows; whether components exist and form no cycle is
    /// ``BundleRules``' job, with the catalog at hand.
    public static func create(from draft: PartDraft, currency: String, now: Date) throws(Problem) -> Part {
        var validator = Validator()
        let sku = SKU.normalize(draft.sku)
        validator.check(sku != nil, "sku", SKU.rule)
        let name = draft.name.trimmed
        checkName(name, &validator)
        let description = draft.description ?? ""
        validator.check(description.count <= 4000, "description", "must be at most 4000 characters")
        let price = validatePrice(draft.price, currency: currency, &validator)
        validator.check((draft.weightGrams ?? 0) >= 0, "weightGrams", "must not be negative")
        let attributes = draft.attributes ?? [:]
        checkAttributes(attributes, &validator)
        let components = validateComponents(draft.components ?? [], &validator)
        try validator.throwIfInvalid()
        try checkCurrency(draft.price, currency: currency)
        guard let sku, let price else { throw Problem.validation([]) }
        return Part(
            sku: sku, name: name, description: description, price: price, status: .active,
            weightGrams: draft.weightGrams, attributes: attributes, components: components,
            createdAt: now, updatedAt: now, version: 1
        )
    }

    /// Applies `changes`, validating each given field; bumps the version and `updatedAt`.
    public func applying(_ changes: PartChanges, currency: String, now: Date) throws(Problem) -> Part {
        var validator = Validator()
        var part = self
        if let name = changes.name?.trimmed {
            Self.checkName(name, &validator)
            part.name = name
        }
        if let description = changes.description {
            validator.check(description.count <= 4000, "description", "must be at most 4000 characters")
            part.description = description
        }
        if let price = changes.price, let money = Self.validatePrice(price, currency: currency, &validator) {
            part.price = money
        }
        if let weight = changes.weightGrams {
            validator.check(weight >= 0, "weightGrams", "must not be negative")
            part.weightGrams = weight
        }
        if let attributes = changes.attributes {
            Self.checkAttributes(attributes, &validator)
            part.attributes = attributes
        }
        if let components = changes.components {
            part.components = Self.validateComponents(components, &validator)
        }
        if let status = changes.status { part.status = status }
        try validator.throwIfInvalid()
        if let price = changes.price { try Self.checkCurrency(price, currency: currency) }
        part.version += 1
        part.updatedAt = now
        return part
    }

    /// 409 when a well-formed price is in another currency than the store's.
    private static func checkCurrency(_ price: (amount: String, currency: String), currency: String) throws(Problem) {
        guard price.currency == currency else {
            throw Problem(
                status: .conflict, code: "catalog.currency_mismatch", title: "Conflict",
                detail: "This store sells in \(currency); prices must be in \(currency).",
                errors: [FieldError(field: "price.currency", message: "must be the store currency \(currency)")])
        }
    }

    private static func checkName(_ name: String, _ validator: inout Validator) {
        validator.check((1...200).contains(name.count), "name", "must be 1 to 200 characters")
    }

    private static func validatePrice(
        _ price: (amount: String, currency: String), currency: String, _ validator: inout Validator
    ) -> Money? {
        guard let money = Money(decimal: price.amount, currency: price.currency) else {
            validator.fail(
                "price.amount",
                "must be a non-negative decimal with at most \(Money.exponent(of: price.currency)) decimals, e.g. \"12.50\""
            )
            return nil
        }
        return money
    }

    private static func checkAttributes(_ attributes: [String: String], _ validator: inout Validator) {
        validator.check(attributes.count <= 50, "attributes", "must have at most 50 entries")
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) {
            validator.check((1...64).contains(key.count), "attributes.\(key)", "keys must be 1 to 64 characters")
            validator.check(value.count <= 500, "attributes.\(key)", "must be at most 500 characters")
        }
    }

    private static func validateComponents(
        _ components: [(sku: String, quantity: Int)], _ validator: inout Validator
    ) -> [ComponentLine] {
        validator.check(components.count <= 100, "components", "a bundle has at most 100 components")
        var lines: [ComponentLine] = []
        for (index, component) in components.enumerated() {
            guard let sku = SKU.normalize(component.sku) else {
                validator.fail("components.\(index).sku", SKU.rule)
                continue
            }
            validator.check(
                (1...10_000).contains(component.quantity), "components.\(index).quantity", "must be 1 to 10000")
            lines.append(ComponentLine(sku: sku, quantity: component.quantity))
        }
        return lines
    }
}
