import Foundation
import Inventory
import ServiceKit

extension DemoData {
    /// (code, name, country, region)
    static let warehouses: [(String, String, String, String?)] = [
        ("MAD", "Madrid central warehouse", "ES", "Madrid"),
        ("CHI", "Chicago distribution center", "US", "IL"),
        ("SIN", "Singapore hub", "SG", nil),
    ]

    /// Stock for the sample parts: Madrid has everything, Chicago the car parts, Singapore the appliance
    /// parts; the AGM battery is down to its last unit (so one demo order is refused for stock).
    static func stock(for sku: String, in warehouse: String) -> Int? {
        let appliance = ["WM-", "DW-", "FR-", "OV-", "VC-"].contains { sku.hasPrefix($0) }
        switch warehouse {
        case "MAD": return sku == "BAT-AGM-70AH" ? 1 : 25
        case "CHI": return appliance || sku == "BAT-AGM-70AH" ? nil : 12
        case "SIN": return appliance ? 8 : nil
        default: return nil
        }
    }

    /// Creates the demo warehouses and their stock, with bins along an aisle (new warehouses only).
    static func loadInventory(_ system: EmbeddedSystem, actor: String) async throws {
        guard let inventory = system.service(InventoryService.self) else { return }
        let existing = Set(try await inventory.store.warehouses().map(\.code))
        for (code, name, country, region) in warehouses where !existing.contains(code) {
            _ = try await inventory.store.createWarehouse(
                try Warehouse.create(code: code, name: name, country: country, region: region, now: Date()))
            for (index, part) in parts.enumerated() {
                guard let onHand = stock(for: part.0, in: code) else { continue }
                let bin = String(format: "%@-%02d-%d", code == "MAD" ? "A" : "B", index / 4 + 1, index % 4 + 1)
                _ = try await inventory.store.setStock(
                    warehouse: code, sku: part.0, onHand: onHand, bin: bin, reorderPoint: min(5, onHand), actor: actor)
            }
        }
    }
}
