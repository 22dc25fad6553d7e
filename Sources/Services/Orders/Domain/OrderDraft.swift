import Foundation
import ServiceKit

/// What the orders service knows of a catalog part (its replica, fed by catalog events).
public struct CatalogEntry: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var price: Money
    public var active: Bool
    public var version: Int

    public init(sku: String, name: String, price: Money, active: Bool, version: Int) {
        self.sku = sku
        self.name = name
        self.price = price
        self.active = active
        self.version = version
    }
}

/// An order as the client sent it, before validation and pricing.
public struct OrderDraft: Sendable {
    public var lines: [(sku: String, quantity: Int)]
    public var shippingAddress: Address
    public var billingAddress: Address

    public init(lines: [(sku: String, quantity: Int)], shippingAddress: Address, billingAddress: Address) {
        self.lines = lines
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
    }

    public static let maxLines = 200
    public static let maxQuantity = 10_000

    /// The SKUs the draft names, normalised (for loading the replica rows it needs).
    public var skus: [String] { lines.map { $0.sku.trimmingCharacters(in: .whitespaces).uppercased() } }

    /// Validates the draft against the catalog replica and prices it; 422 listing every bad field.
    ///
    /// Prices come only from `catalog`; tax is `subtotal × rate`, rounded half up to the minor unit.
    public func priced(
        id: String, number: String, customerId: String, catalog: [String: CatalogEntry], taxes: TaxTable,
        currency: String, now: Date
    ) throws(Problem) -> Order {
        var validator = Validator()
        validator.check(!lines.isEmpty, "lines", "must hold at least one line")
        validator.check(lines.count <= Self.maxLines, "lines", "must hold at most \(Self.maxLines) lines")
        var seen: Set<String> = []
        var priced: [OrderLine] = []
        for (index, (line, sku)) in zip(lines, skus).enumerated() {
            validator.check(
                (1...Self.maxQuantity).contains(line.quantity), "lines.\(index).quantity",
                "must be 1 to \(Self.maxQuantity)"
            )
            guard seen.insert(sku).inserted else {
                validator.fail(
                    "lines.\(index).sku", "\(sku) appears more than once; use one line with the total quantity")
                continue
            }
            guard let entry = catalog[sku] else {
                validator.fail("lines.\(index).sku", "no part \(sku) is sold")
                continue
            }
            guard entry.active else {
                validator.fail("lines.\(index).sku", "\(sku) is discontinued")
                continue
            }
            guard entry.price.currency == currency else {
                validator.fail("lines.\(index).sku", "\(sku) is not priced in \(currency)")
                continue
            }
            let quantity = Int64(max(0, line.quantity))
            priced.append(
                OrderLine(
                    sku: sku, name: entry.name, quantity: line.quantity, unitPrice: entry.price,
                    lineTotal: Money(minorUnits: entry.price.minorUnits * quantity, currency: currency)
                ))
        }
        let shipping = shippingAddress.validated("shippingAddress", &validator)
        let billing = billingAddress.validated("billingAddress", &validator)
        try validator.throwIfInvalid()
        let subtotal = priced.reduce(Int64(0)) { $0 + $1.lineTotal.minorUnits }
        let rate = taxes.rate(for: billing.country)
        let tax = (subtotal * Int64(rate) + 5_000) / 10_000
        return Order(
            id: id, number: number, customerId: customerId, status: .pendingConfirmation, lines: priced,
            shippingAddress: shipping, billingAddress: billing,
            subtotal: Money(minorUnits: subtotal, currency: currency), tax: Money(minorUnits: tax, currency: currency),
            taxRateBasisPoints: rate, total: Money(minorUnits: subtotal + tax, currency: currency),
            createdAt: now, updatedAt: now, version: 1
        )
    }
}
