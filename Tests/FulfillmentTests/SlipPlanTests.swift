import Fulfillment
import IntegrationEvents
import Testing

@Suite("Packing slip lines (pure)")
struct SlipPlanTests {
    @Test func groupsFollowThePickPathAndKitsKeepTheirComponentsTogether() {
        let allocations = [
            StockAllocation(warehouse: "MAD", sku: "BELT", quantity: 1, bin: "C-02", bundleSku: nil),
            StockAllocation(warehouse: "MAD", sku: "NUT", quantity: 8, bin: nil, bundleSku: nil),
            StockAllocation(warehouse: "MAD", sku: "PAD", quantity: 2, bin: "D-01", bundleSku: "KIT"),
            StockAllocation(warehouse: "MAD", sku: "DISC", quantity: 2, bin: "B-09", bundleSku: "KIT"),
            StockAllocation(warehouse: "MAD", sku: "OIL", quantity: 1, bin: "A-01", bundleSku: nil),
        ]
        let lines = SlipPlan.lines(for: allocations, order: [], names: ["KIT": "Brake kit"])["MAD"] ?? []
        // OIL, then the kit (its first bin B-09) with DISC before PAD, then BELT (C-02), NUT (no bin) last.
        #expect(lines.map(\.sku) == ["OIL", "KIT", "DISC", "PAD", "BELT", "NUT"])
        #expect(lines.map(\.kind) == [.part, .kit, .component, .component, .part, .part])
        #expect(lines[1].name == "Brake kit" && lines[2].kit == "KIT")
    }
}
