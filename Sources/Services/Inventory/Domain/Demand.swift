import IntegrationEvents
import ServiceKit

/// One leaf SKU an order needs: how many, and the order line's bundle it is needed for (`nil` for a
/// loose line).
public struct DemandLine: Sendable, Equatable {
    public var sku: String
    public var quantity: Int
    public var bundleSku: String?

    public init(sku: String, quantity: Int, bundleSku: String?) {
        self.sku = sku
        self.quantity = quantity
        self.bundleSku = bundleSku
    }
}

/// What a bundle is made of, as the catalog last said: bundle SKU → components (which may be bundles).
public struct BundleRecipes: Sendable, Equatable {
    public var components: [String: [ComponentQuantity]]

    public init(_ components: [String: [ComponentQuantity]] = [:]) {
        self.components = components
    }

    /// The catalog never stores a kit deeper than this; a deeper (or cyclic) recipe is refused.
    public static let maxDepth = 16

    /// The leaf SKUs that order lines need: a bundle line becomes its components, recursively, with
    /// quantities multiplied (overflow-checked), each remembering the line's bundle SKU.
    public func expand(_ lines: [(sku: String, quantity: Int)]) throws(Problem) -> [DemandLine] {
        var demand: [DemandLine] = []
        for line in lines {
            let bundle = components[line.sku] == nil ? nil : line.sku
            try expand(line.sku, times: line.quantity, bundle: bundle, depth: 0, into: &demand)
        }
        return demand
    }

    private func expand(
        _ sku: String, times quantity: Int, bundle: String?, depth: Int, into demand: inout [DemandLine]
    ) throws(Problem) {
        guard let parts = components[sku] else {
            demand.append(DemandLine(sku: sku, quantity: quantity, bundleSku: bundle))
            return
        }
        guard depth < Self.maxDepth else {
            throw Problem.conflict(
                "inventory.bundle_too_deep", "The kit \(sku) nests deeper than \(Self.maxDepth) levels.")
        }
        for part in parts {
            let (product, overflow) = part.quantity.multipliedReportingOverflow(by: quantity)
            guard !overflow else {
                throw Problem.conflict(
                    "inventory.quantity_overflow", "The kit \(sku) needs more units than can be counted.")
            }
            try expand(part.sku, times: product, bundle: bundle, depth: depth + 1, into: &demand)
        }
    }
}

extension Array where Element == DemandLine {
    /// Units needed per leaf SKU (overflow-checked).
    public func totals() throws(Problem) -> [String: Int] {
        var totals: [String: Int] = [:]
        for line in self {
            let (sum, overflow) = totals[line.sku, default: 0].addingReportingOverflow(line.quantity)
            guard !overflow else {
                throw Problem.conflict("inventory.quantity_overflow", "The order needs more units than can be counted.")
            }
            totals[line.sku] = sum
        }
        return totals
    }
}
