import Foundation
import IntegrationEvents
import ServiceKit

/// One line of a packing slip: a part to pick, or a kit's header whose components follow it.
public struct SlipLine: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A part sold on its own: pick it.
        case part
        /// A kit sold as one line: not picked itself, its components (the next lines) are.
        case kit
        /// A part picked for the kit named in `kit`.
        case component
    }

    public var kind: Kind
    public var sku: String
    public var name: String
    public var quantity: Int
    public var bin: String?
    /// For a component: the kit it is picked for.
    public var kit: String?

    public init(kind: Kind, sku: String, name: String, quantity: Int, bin: String?, kit: String?) {
        self.kind = kind
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.bin = bin
        self.kit = kit
    }
}

/// What a packing slip is doing.
public enum SlipStatus: String, Sendable, CaseIterable, Codable {
    case open, packed, shipped, voided

    /// Where a slip may go from here: packed (staff), then shipped (a shipment); voided by a cancellation
    /// before it ships.
    public var allowedMoves: [SlipStatus] {
        switch self {
        case .open: [.packed, .voided]
        case .packed: [.shipped, .voided]
        case .shipped, .voided: []
        }
    }
}

/// The warehouse's paper for one order: what to pick where, and where it goes.
public struct PackingSlip: Sendable, Equatable {
    public var id: String
    public var number: String
    public var orderId: String
    public var orderNumber: String
    public var customerId: String
    public var warehouse: String
    public var status: SlipStatus
    public var shipTo: PostalAddress
    public var lines: [SlipLine]
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, number: String, orderId: String, orderNumber: String, customerId: String, warehouse: String,
        status: SlipStatus, shipTo: PostalAddress, lines: [SlipLine], createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.number = number
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.customerId = customerId
        self.warehouse = warehouse
        self.status = status
        self.shipTo = shipTo
        self.lines = lines
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Builds the slips' lines from a confirmed order's allocation: pure.
public enum SlipPlan {
    /// Lines per warehouse code. A kit becomes its header (the quantity of kits, from the order line)
    /// followed by its components; loose parts are lines of their own. Groups follow the pick path: by
    /// the first bin they need (lines without a bin last), components by bin within their kit.
    public static func lines(
        for allocations: [StockAllocation], order: [OrderLineSnapshot], names: [String: String]
    ) -> [String: [SlipLine]] {
        let ordered = Dictionary(order.map { ($0.sku.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
        func name(_ sku: String) -> String { names[sku] ?? ordered[sku]?.name ?? sku }
        var result: [String: [SlipLine]] = [:]
        for (warehouse, here) in Dictionary(grouping: allocations, by: \.warehouse) {
            var groups: [[SlipLine]] = []
            for allocation in here where allocation.bundleSku == nil {
                groups.append([
                    SlipLine(
                        kind: .part, sku: allocation.sku, name: name(allocation.sku), quantity: allocation.quantity,
                        bin: allocation.bin, kit: nil)
                ])
            }
            let kits = Dictionary(grouping: here.filter { $0.bundleSku != nil }, by: { $0.bundleSku ?? "" })
            for (kit, components) in kits {
                let header = SlipLine(
                    kind: .kit, sku: kit, name: name(kit), quantity: ordered[kit]?.quantity ?? 1, bin: nil, kit: nil)
                let picks = components.sorted(by: pickOrder).map {
                    SlipLine(
                        kind: .component, sku: $0.sku, name: name($0.sku), quantity: $0.quantity, bin: $0.bin, kit: kit)
                }
                groups.append([header] + picks)
            }
            result[warehouse] = groups.sorted { a, b in
                let (binA, binB) = (firstBin(a), firstBin(b))
                if binA != binB { return binOrder(binA, binB) }
                return a[0].sku < b[0].sku
            }.flatMap { $0 }
        }
        return result
    }

    private static func firstBin(_ group: [SlipLine]) -> String? {
        group.compactMap(\.bin).min()
    }

    private static func binOrder(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (let a?, let b?): a < b
        case (.some, nil): true
        default: false
        }
    }

    private static func pickOrder(_ a: StockAllocation, _ b: StockAllocation) -> Bool {
        a.bin != b.bin ? binOrder(a.bin, b.bin) : a.sku < b.sku
    }
}

extension PackingSlip {
    /// Marks the slip packed; only an open slip can be (409 `fulfillment.slip_not_open`).
    public mutating func pack(at now: Date) throws(Problem) {
        guard status == .open else { throw FulfillmentProblems.notPackable(id, status: status) }
        status = .packed
        updatedAt = now
    }
}
