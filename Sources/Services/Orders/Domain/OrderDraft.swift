import Foundation
import ServiceKit

/// What the orders service knows of a catalog part (its replica, fed by catalog events).
public struct CatalogEntry: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var price: Money
    public var active: Bool
    public var version: Int
    /// For a discontinued part, the active part that replaces it (through the supersession chain).
    public var replacement: String?

    public init(sku: String, name: String, price: Money, active: Bool, version: Int, replacement: String? = nil) {
        self.replacement = replacement
        self.sku = sku
        self.name = name
        self.price = price
        self.active = active
        self.version = version
    }
}

/// The default addresses of a customer's address book, as the orders service last heard of them.
public struct DefaultAddresses: Sendable, Equatable {
    public var shipping: Address?
    public var billing: Address?

    public init(shipping: Address? = nil, billing: Address? = nil) {
        self.shipping = shipping
        self.billing = billing
    }
}

/// An order as the client sent it, before validation and pricing. An address left out is the customer's
/// default of its kind.
public struct OrderDraft: Sendable {
    public var lines: [(sku: String, quantity: Int)]
    public var shippingAddress: Address?
    public var billingAddress: Address?

    public init(lines: [(sku: String, quantity: Int)], shippingAddress: Address?, billingAddress: Address?) {
        self.lines = lines
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
    }

    public static let maxLines = 200
    public static let maxQuantity = 10_000

    /// The SKUs the draft names, normalised (for loading the replica rows it needs).
    public var skus: [String] { lines.map { $0.sku.uppercased() } }

    /// Refuses a draft with more than ``maxLines`` lines before any lookup: the store calls it before
    /// it opens a transaction, so a huge body costs no database work.
    public func checkLimits() throws(Problem) {
        guard lines.count <= Self.maxLines else {
            throw Problem.validation([FieldError(field: "lines", message: "must hold at most \(Self.maxLines) lines")])
        }
    }

    /// Validates the draft against the catalog replica and prices it.
    ///
    /// A malformed draft is 422 listing every bad field; a well-formed one naming parts that are not sold
    /// (unknown, discontinued, in another currency) is 409 `order.parts_unavailable` listing those lines,
    /// except a discontinued part that another replaces: that is 422 `order.part_superseded` naming it.
    /// Prices come only from `catalog`; tax is `subtotal × rate`, rounded half up to the minor unit.
    /// Every sum and product is overflow-checked: an order too large to count is a 422, never a trap.
    /// An address left out is taken from `defaults`; with no default either, that field is a 422.
    public func priced(
        id: String, number: String, customerId: String, catalog: [String: CatalogEntry], taxes: TaxTable,
        currency: String, defaults: DefaultAddresses = .init(), now: Date
    ) throws(Problem) -> Order {
        try checkLimits()
        var validator = Validator()
        validator.check(!lines.isEmpty, "lines", "must hold at least one line")
        var unavailable = Validator()
        var superseded = Validator()
        // Lines naming the same part are merged into the first of them (the limit is per line).
        var merged: [(index: Int, sku: String, quantity: Int)] = []
        var position: [String: Int] = [:]
        for (index, (line, sku)) in zip(lines, skus).enumerated() {
            guard (1...Self.maxQuantity).contains(line.quantity) else {
                validator.fail("lines.\(index).quantity", "must be 1 to \(Self.maxQuantity)")
                continue
            }
            if let first = position[sku] {
                // At most maxLines × maxQuantity in all: no overflow.
                merged[first].quantity += line.quantity
            } else {
                position[sku] = merged.count
                merged.append((index, sku, line.quantity))
            }
        }
        var priced: [OrderLine] = []
        var subtotal: Money? = Money(minorUnits: 0, currency: currency)
        for (index, sku, quantity) in merged {
            guard let entry = catalog[sku] else {
                unavailable.fail("lines.\(index).sku", "no part \(sku) is sold")
                continue
            }
            guard entry.active else {
                if let replacement = entry.replacement {
                    superseded.fail(
                        "lines.\(index).sku", "\(sku) is discontinued; order \(replacement), which replaces it")
                } else {
                    unavailable.fail("lines.\(index).sku", "\(sku) is discontinued")
                }
                continue
            }
            guard entry.price.currency == currency else {
                unavailable.fail("lines.\(index).sku", "\(sku) is not priced in \(currency)")
                continue
            }
            guard let lineTotal = entry.price.multiplied(by: quantity) else {
                validator.fail("lines.\(index).quantity", "the line total is too large")
                continue
            }
            subtotal = subtotal.flatMap { $0.adding(lineTotal) }
            priced.append(
                OrderLine(
                    sku: sku, name: entry.name, quantity: quantity, unitPrice: entry.price, lineTotal: lineTotal))
        }
        var missing = Validator()
        let shipping = Self.address(shippingAddress ?? defaults.shipping, "shippingAddress", &validator, &missing)
        let billing = Self.address(billingAddress ?? defaults.billing, "billingAddress", &validator, &missing)
        try validator.throwIfInvalid()
        guard let shipping, let billing else {
            throw Problem(
                status: .conflict, code: "order.no_default_address", title: "No default address",
                detail:
                    "The order names no address, and your address book has no default for it: name it, or set a default at /customers/me/addresses.",
                errors: missing.errors)
        }
        if !superseded.errors.isEmpty {
            throw Problem(
                status: .unprocessableContent, code: "order.part_superseded", title: "Part superseded",
                detail: "Some lines name discontinued parts that others replace: order those instead.",
                errors: superseded.errors)
        }
        if !unavailable.errors.isEmpty {
            throw Problem(
                status: .conflict, code: "order.parts_unavailable", title: "Parts unavailable",
                detail: "Some lines name parts the catalog does not sell (now).", errors: unavailable.errors)
        }
        let rate = taxes.rate(for: billing.country)
        guard let subtotal, let tax = Self.tax(on: subtotal, basisPoints: rate), let total = subtotal.adding(tax) else {
            throw Problem.validation([FieldError(field: "lines", message: "the order total is too large")])
        }
        return Order(
            id: id, number: number, customerId: customerId, status: .pendingConfirmation, lines: priced,
            shippingAddress: shipping, billingAddress: billing, subtotal: subtotal, tax: tax,
            taxRateBasisPoints: rate, total: total, createdAt: now, updatedAt: now, version: 1
        )
    }

    /// `address` validated under `field`; a missing one is recorded in `missing` (the account has no
    /// default: the request is valid, the data does not complete it, so it is a 409, not a 422).
    private static func address(
        _ address: Address?, _ field: String, _ validator: inout Validator, _ missing: inout Validator
    ) -> Address? {
        guard let address else {
            let kind = field == "shippingAddress" ? "shipping" : "billing"
            missing.fail(field, "is not given, and your address book has no default \(kind) address")
            return nil
        }
        return address.validated(field, &validator)
    }

    /// `amount × basisPoints / 10000`, rounded half up to the minor unit; `nil` on overflow.
    public static func tax(on amount: Money, basisPoints: Int) -> Money? {
        let (product, overflow) = amount.minorUnits.multipliedReportingOverflow(by: Int64(basisPoints))
        guard !overflow else { return nil }
        let (rounded, overflowAgain) = product.addingReportingOverflow(5_000)
        guard !overflowAgain else { return nil }
        return Money(minorUnits: rounded / 10_000, currency: amount.currency)
    }
}
