import Foundation
import IntegrationEvents
import Inventory
import ServiceKit
import Testing

@Suite("Allocation and stock rules")
struct AllocationTests {
    static let madrid = Site(code: "MAD", country: "ES", region: "Madrid")
    static let barcelona = Site(code: "BCN", country: "ES", region: "Catalonia")
    static let chicago = Site(code: "CHI", country: "US", region: "IL")
    static let singapore = Site(code: "SIN", country: "SG", region: nil)
    static let sites = [madrid, barcelona, chicago, singapore]

    private func plan(
        _ demand: [(String, Int)], to country: String, region: String? = nil, _ available: [String: [String: Int]]
    ) throws -> AllocationPlan {
        try Allocation.plan(
            demand.map { DemandLine(sku: $0.0, quantity: $0.1, bundleSku: nil) },
            to: Destination(country: country, region: region), sites: Self.sites, available: available)
    }

    private func warehouses(_ plan: AllocationPlan) -> Set<String> {
        guard case .reserve(let allocations) = plan else { return [] }
        return Set(allocations.map(\.warehouse))
    }

    @Test func oneWarehouseInTheShippingCountryWinsOverOneWithMoreStock() throws {
        let result = try plan([("PAD", 2)], to: "ES", ["CHI": ["PAD": 100], "MAD": ["PAD": 2]])
        #expect(
            result == .reserve([StockAllocation(warehouse: "MAD", sku: "PAD", quantity: 2, bin: nil, bundleSku: nil)]))
    }

    @Test func theShippingRegionBreaksATieInsideTheCountry() throws {
        let stock = ["MAD": ["PAD": 5], "BCN": ["PAD": 5]]
        #expect(warehouses(try plan([("PAD", 1)], to: "ES", region: "catalonia", stock)) == ["BCN"])
        #expect(warehouses(try plan([("PAD", 1)], to: "ES", region: "Madrid", stock)) == ["MAD"])
    }

    @Test func withoutAWarehouseNearbyTheOneWithMostOfTheNeededStockWins() throws {
        let result = try plan(
            [("PAD", 3), ("DISC", 1)], to: "FR", ["CHI": ["PAD": 3, "DISC": 9], "SIN": ["PAD": 50, "DISC": 1]])
        #expect(warehouses(result) == ["SIN"])
    }

    @Test func aWarehouseThatCanShipEverythingBeatsANearerOneThatCannot() throws {
        let result = try plan([("PAD", 1), ("DISC", 1)], to: "ES", ["MAD": ["PAD": 1], "CHI": ["PAD": 1, "DISC": 1]])
        #expect(warehouses(result) == ["CHI"])
    }

    @Test func anOrderNoWarehouseCanShipAloneIsSplitAcrossTheFewest() throws {
        let stock = [
            "MAD": ["PAD": 1], "BCN": ["DISC": 1], "CHI": ["SNS": 1], "SIN": ["PAD": 1, "DISC": 1, "SNS": 0],
        ]
        // SIN + CHI cover all three SKUs; MAD + BCN + CHI would be three warehouses.
        let result = try plan([("PAD", 1), ("DISC", 1), ("SNS", 1)], to: "ES", stock)
        #expect(warehouses(result) == ["SIN", "CHI"])
    }

    @Test func aSkuIsTakenFromTheBestRankedWarehouseFirstWhenOneAloneIsShort() throws {
        let result = try plan([("PAD", 5)], to: "ES", ["MAD": ["PAD": 3], "CHI": ["PAD": 4]])
        guard case .reserve(let allocations) = result else {
            Issue.record("not reserved")
            return
        }
        #expect(Set(allocations.map { "\($0.warehouse):\($0.quantity)" }) == ["MAD:3", "CHI:2"])
    }

    @Test func allOrNothingAShortSkuRejectsTheWholeOrderNamingWhatIsMissing() throws {
        let result = try plan(
            [("PAD", 1), ("DISC", 4)], to: "ES", ["MAD": ["PAD": 9, "DISC": 1], "CHI": ["DISC": 2]])
        #expect(result == .reject([StockShortage(sku: "DISC", requested: 4, available: 3)]))
    }

    @Test func kitLinesExpandToTheirLeavesRecursivelyWithMultipliedQuantities() throws {
        let recipes = BundleRecipes([
            "KIT-AXLE": [ComponentQuantity(sku: "KIT-BRAKE", quantity: 2), ComponentQuantity(sku: "NUT", quantity: 8)],
            "KIT-BRAKE": [ComponentQuantity(sku: "DISC", quantity: 1), ComponentQuantity(sku: "PAD", quantity: 2)],
        ])
        let demand = try recipes.expand([(sku: "KIT-AXLE", quantity: 3), (sku: "PAD", quantity: 1)])
        #expect(
            demand == [
                DemandLine(sku: "DISC", quantity: 6, bundleSku: "KIT-AXLE"),
                DemandLine(sku: "PAD", quantity: 12, bundleSku: "KIT-AXLE"),
                DemandLine(sku: "NUT", quantity: 24, bundleSku: "KIT-AXLE"),
                DemandLine(sku: "PAD", quantity: 1, bundleSku: nil),
            ])
        #expect(try demand.totals() == ["DISC": 6, "PAD": 13, "NUT": 24])
    }

    @Test func aKitAndALooseLineCompeteForTheSameComponent() throws {
        let demand = [
            DemandLine(sku: "PAD", quantity: 2, bundleSku: "KIT"), DemandLine(sku: "PAD", quantity: 1, bundleSku: nil),
        ]
        let short = try Allocation.plan(
            demand, to: Destination(country: "ES", region: nil), sites: Self.sites, available: ["MAD": ["PAD": 2]])
        #expect(short == .reject([StockShortage(sku: "PAD", requested: 3, available: 2)]))
        let enough = try Allocation.plan(
            demand, to: Destination(country: "ES", region: nil), sites: Self.sites, available: ["MAD": ["PAD": 3]],
            bins: ["MAD": ["PAD": "A-01"]])
        #expect(
            enough
                == .reserve([
                    StockAllocation(warehouse: "MAD", sku: "PAD", quantity: 2, bin: "A-01", bundleSku: "KIT"),
                    StockAllocation(warehouse: "MAD", sku: "PAD", quantity: 1, bin: "A-01", bundleSku: nil),
                ]))
    }

    @Test func aCyclicOrOverflowingRecipeIsRefusedNotLooped() throws {
        let cyclic = BundleRecipes([
            "A": [ComponentQuantity(sku: "B", quantity: 1)], "B": [ComponentQuantity(sku: "A", quantity: 1)],
        ])
        #expect(throws: Problem.self) { try cyclic.expand([(sku: "A", quantity: 1)]) }
        let huge = BundleRecipes(["A": [ComponentQuantity(sku: "X", quantity: Int.max)]])
        #expect(throws: Problem.self) { try huge.expand([(sku: "A", quantity: 2)]) }
    }

    @Test func adjustmentsCannotGoBelowReservedOrZero() throws {
        let row = StockLevel(
            warehouse: "MAD", sku: "PAD", onHand: 10, reserved: 4, bin: nil, reorderPoint: 5, updatedAt: Date())
        #expect(try row.adjusted(by: -6) == 4)
        #expect(try row.adjusted(by: 5) == 15)
        do {
            _ = try row.adjusted(by: -7)
            Issue.record("went below reserved")
        } catch {
            #expect(error.code == "inventory.below_reserved")
            #expect(error.status == 409)
        }
        #expect(throws: Problem.self) { try row.adjusted(by: Int.max) }
    }

    @Test func stockLowIsReportedOnceWhenAvailableCrossesTheReorderPoint() {
        var row = StockLevel(
            warehouse: "MAD", sku: "PAD", onHand: 10, reserved: 5, bin: nil, reorderPoint: 5, updatedAt: Date())
        #expect(row.fellToReorderPoint(from: 6))
        #expect(!row.fellToReorderPoint(from: 5))
        row.reorderPoint = nil
        #expect(!row.fellToReorderPoint(from: 100))
    }
}
