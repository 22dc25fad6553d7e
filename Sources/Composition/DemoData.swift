import Catalog
import Customers
import Foundation
import Orders
import ServiceKit
import Storage

/// The demo sample: car and appliance parts with real-looking SKUs, kits, and one account per role.
///
/// Loading is idempotent: what exists already is left as it is.
public enum DemoData {
    public struct Account: Sendable {
        public let email: String
        public let password: String
        public let role: Role
    }

    public static let accounts: [Account] = [
        Account(email: "admin@example.com", password: "sprocket-admin", role: .admin),
        Account(email: "staff@example.com", password: "sprocket-staff", role: .staff),
        Account(email: "customer@example.com", password: "sprocket-customer", role: .customer),
    ]

    /// (sku, name, price, grams, attributes)
    static let parts: [(String, String, String, Int, [String: String])] = [
        (
            "BRK-PAD-VW-1K0698151", "Front brake pad set, VW Golf VII", "39.90", 1850,
            ["position": "front", "brand": "Textar"]
        ),
        (
            "BRK-PAD-VW-5Q0698451", "Rear brake pad set, VW Golf VII", "32.50", 1200,
            ["position": "rear", "brand": "Textar"]
        ),
        (
            "BRK-DSC-VW-5Q0615301", "Front brake disc 312 mm, VW Golf VII", "54.00", 7400,
            ["diameter_mm": "312", "brand": "ATE"]
        ),
        (
            "BRK-DSC-VW-5Q0615601", "Rear brake disc 272 mm, VW Golf VII", "41.20", 4900,
            ["diameter_mm": "272", "brand": "ATE"]
        ),
        ("BRK-SNS-VW-1K0907637", "Brake pad wear sensor", "8.90", 40, ["length_mm": "820"]),
        ("BRK-FLD-DOT4-1L", "Brake fluid DOT 4, 1 l", "12.40", 1100, ["standard": "DOT 4"]),
        ("FLT-OIL-VW-04E115561", "Oil filter, 1.0/1.4 TSI", "9.80", 260, ["brand": "Mann"]),
        ("FLT-AIR-VW-5Q0129620", "Air filter, VW Golf VII", "17.60", 420, ["brand": "Mann"]),
        ("FLT-CAB-VW-5Q0819653", "Cabin filter with activated carbon", "21.30", 300, ["brand": "Bosch"]),
        ("FLT-FUEL-VW-5Q0127177", "Fuel filter, diesel", "28.70", 520, ["brand": "Mahle"]),
        ("IGN-PLG-NGK-ILKAR7B11", "Spark plug NGK ILKAR7B11", "11.25", 60, ["gap_mm": "0.9"]),
        ("IGN-COIL-VW-04E905110", "Ignition coil, 1.4 TSI", "46.00", 280, ["brand": "Bosch"]),
        ("OIL-5W30-VW504-5L", "Engine oil 5W-30 VW 504.00, 5 l", "44.90", 4600, ["viscosity": "5W-30"]),
        ("BLT-RIB-6PK1070", "Ribbed belt 6PK1070", "19.90", 180, ["length_mm": "1070"]),
        ("BLT-TIM-KIT-CT1168", "Timing belt CT1168", "63.00", 450, ["teeth": "141"]),
        ("WPR-BLD-600-475", "Wiper blade set 600/475 mm", "29.90", 380, ["length_mm": "600/475"]),
        ("LMP-H7-12V-55W", "Halogen bulb H7 12 V 55 W", "6.40", 30, ["socket": "PX26d"]),
        ("SNS-O2-VW-04E906262", "Lambda sensor, downstream", "88.00", 150, ["brand": "Bosch"]),
        ("SUS-SHK-VW-5Q0413031", "Front shock absorber", "97.50", 3900, ["position": "front"]),
        ("BAT-AGM-70AH", "AGM battery 70 Ah 760 A", "189.00", 20500, ["capacity_ah": "70"]),
        ("WM-PMP-BOSCH-00145787", "Drain pump, Bosch washing machine", "34.90", 420, ["voltage": "230"]),
        ("WM-BLT-1192J5", "Drum belt 1192 J5", "14.50", 90, ["length_mm": "1192"]),
        ("WM-BRS-SET-481236248004", "Motor carbon brush set", "12.80", 50, ["pieces": "2"]),
        ("WM-SHK-WHIRLPOOL-481252", "Drum shock absorber 120 N", "18.60", 350, ["force_n": "120"]),
        ("WM-GSK-DOOR-SAMSUNG-DC64", "Door seal, Samsung washer", "42.00", 1300, [:]),
        ("DW-SEAL-BOSCH-00754866", "Dishwasher door seal", "24.90", 400, [:]),
        ("DW-PMP-CIRC-00651956", "Dishwasher circulation pump", "119.00", 1800, ["voltage": "230"]),
        ("DW-SPR-ARM-00611475", "Lower spray arm", "27.40", 260, [:]),
        ("FR-THM-RANCO-K59", "Fridge thermostat Ranco K59", "31.50", 180, ["range_c": "-26..-2"]),
        ("FR-FAN-EVAP-W10312695", "Evaporator fan motor", "38.80", 400, [:]),
        ("OV-ELM-BOTTOM-2000W", "Oven bottom heating element 2000 W", "36.20", 650, ["power_w": "2000"]),
        ("OV-ELM-FAN-2500W", "Oven fan heating element 2500 W", "29.90", 420, ["power_w": "2500"]),
        ("OV-LMP-25W-300C", "Oven lamp 25 W, 300 °C", "4.90", 20, ["socket": "E14"]),
        ("VC-BAG-SET-10", "Vacuum cleaner bags, 10 pieces", "9.90", 300, ["pieces": "10"]),
    ]

    /// (sku, name, price, components)
    static let kits: [(String, String, String, [(String, Int)])] = [
        (
            "KIT-BRK-FRONT-VW-GOLF7", "Front brake kit, VW Golf VII (discs, pads, sensor)", "94.90",
            [("BRK-DSC-VW-5Q0615301", 2), ("BRK-PAD-VW-1K0698151", 1), ("BRK-SNS-VW-1K0907637", 1)]
        ),
        (
            "KIT-SRV-VW-GOLF7-14TSI", "Service kit 1.4 TSI (oil, filters, plugs)", "99.00",
            [
                ("OIL-5W30-VW504-5L", 1), ("FLT-OIL-VW-04E115561", 1), ("FLT-AIR-VW-5Q0129620", 1),
                ("FLT-CAB-VW-5Q0819653", 1), ("IGN-PLG-NGK-ILKAR7B11", 4),
            ]
        ),
        (
            "KIT-WM-REPAIR-DRUM", "Washing machine drum repair kit", "42.90",
            [("WM-BLT-1192J5", 1), ("WM-SHK-WHIRLPOOL-481252", 2), ("WM-BRS-SET-481236248004", 1)]
        ),
    ]

    /// Loads the sample into `system`; returns how many parts and accounts were new.
    @discardableResult
    public static func load(into system: EmbeddedSystem) async throws -> (parts: Int, accounts: Int) {
        guard let catalog = system.service(CatalogService.self), let customers = system.service(CustomersService.self)
        else { throw ConfigurationError(description: "the demo needs the catalog and customers services") }
        let loaded = try await load(
            catalog: catalog.store, identity: customers.identity, currency: system.configuration.settings.currency
        )
        if let admin = try await customers.identity.store.credentials(email: "admin@example.com")?.0 {
            try await loadInventory(system, actor: admin.id)
        }
        try await system.publishPendingEvents()
        try await placeOrders(system)
        return loaded
    }

    /// The demo customer's address book: home (the default for shipping and billing) and a client's garage.
    static let home = Address(
        firstName: "Dana", lastName: "Fischer", email: "customer@example.com", phone: "+49 30 1234567",
        line1: "Werkstattstraße 12", city: "Berlin", postalCode: "10115", country: "DE"
    )
    static let garage = Address(
        firstName: "Luc", lastName: "Martin", company: "Garage Martin SARL", line1: "8 rue des Pistons",
        city: "Lyon", postalCode: "69003", country: "FR"
    )

    /// The demo customer's orders (keyed, so loading twice adds none). Inventory reserves each order and it
    /// confirms itself (or is cancelled out_of_stock, as the fifth is); fulfillment makes the slips and
    /// billing the invoices; then the warehouse, the carrier and the bank move some further (the fourth is
    /// cancelled: its invoice gets a credit note).
    static let orderPlans: [(key: String, lines: [(sku: String, quantity: Int)], address: Address, steps: [DemoStep])] =
        [
            ("demo-order-1", [("KIT-BRK-FRONT-VW-GOLF7", 1), ("BRK-FLD-DOT4-1L", 1)], home, []),
            (
                "demo-order-2", [("KIT-SRV-VW-GOLF7-14TSI", 2)], garage,
                [.pack, .pay(amount: "50.00", reference: "SEPA 2026-0412")]
            ),
            (
                "demo-order-3", [("WM-PMP-BOSCH-00145787", 1), ("WM-BLT-1192J5", 2)], home,
                [
                    .pack, .ship(carrier: "DHL", trackingNumber: "JJD000390007713"),
                    .inTransit(location: "Leipzig hub"),
                    .pay(amount: nil, reference: "SEPA 2026-0398"),
                ]
            ),
            ("demo-order-4", [("OV-LMP-25W-300C", 3)], garage, [.cancel]),
            ("demo-order-5", [("BAT-AGM-70AH", 2)], home, []),
        ]

    /// Demo orders of the demo customer in several statuses (keyed, so loading twice adds none).
    static func placeOrders(_ system: EmbeddedSystem) async throws {
        guard let customers = system.service(CustomersService.self), let orders = system.service(OrdersService.self),
            let customer = try await customers.identity.store.credentials(email: "customer@example.com")?.0,
            let staff = try await customers.identity.store.credentials(email: "staff@example.com")?.0
        else { return }
        var placed: [(id: String, steps: [DemoStep])] = []
        for plan in orderPlans {
            let draft = OrderDraft(lines: plan.lines, shippingAddress: plan.address, billingAddress: plan.address)
            let order = try await orders.store.place(draft, customerId: customer.id, idempotencyKey: plan.key)
            guard order.status == .pendingConfirmation, order.version == 1 else { continue }
            placed.append((order.id, plan.steps))
        }
        try await system.publishPendingEvents()
        for (id, steps) in placed where try await orders.store.order(id)?.status == .sentToWarehouse {
            for step in steps {
                try await step.run(order: id, in: system, staff: staff.id)
                try await system.publishPendingEvents()
            }
        }
    }

    /// Loads the sample through the catalog store and identity of any process.
    public static func load(catalog: CatalogStore, identity: Identity, currency: String) async throws -> (
        parts: Int, accounts: Int
    ) {
        var newParts = 0
        var newAccounts = 0
        for account in accounts {
            if try await identity.store.credentials(email: account.email) == nil {
                let name = account.role.rawValue.capitalized + " (demo)"
                let customer = try await identity.register(
                    email: account.email, name: name, password: account.password, role: account.role,
                    postalAddress: account.role == .customer ? home : nil)
                if account.role == .customer {
                    let entry = try AddressChange(
                        address: garage, label: "Garage Martin", defaultShipping: false,
                        defaultBilling: false)
                    _ = try await identity.store.changeAddressBook(of: customer.id) { book in
                        try book.add(entry, id: UUIDv7.make(at: .storageNow), now: .storageNow)
                    }
                }
                newAccounts += 1
            }
        }
        for (sku, name, price, grams, attributes) in parts where try await catalog.part(sku) == nil {
            _ = try await catalog.create(
                PartDraft(
                    sku: sku, name: name, description: name, price: (price, currency), weightGrams: grams,
                    attributes: attributes
                ))
            newParts += 1
        }
        for (sku, name, price, components) in kits where try await catalog.part(sku) == nil {
            _ = try await catalog.create(
                PartDraft(
                    sku: sku, name: name, description: name, price: (price, currency),
                    components: components.map { (sku: $0.0, quantity: $0.1) }
                ))
            newParts += 1
        }
        try await loadGraph(catalog: catalog, currency: currency)
        return (newParts, newAccounts)
    }

    /// The lines `sprocket` prints about the demo accounts.
    public static var accountSummary: String {
        accounts.map {
            "  \($0.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \($0.email) / \($0.password)"
        }
        .joined(separator: "\n")
    }
}
