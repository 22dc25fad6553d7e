import Billing
import Composition
import Sales
import Catalog
import Foundation
import Fulfillment
import Orders
import ServiceKit
import Shipping
import Storage
import Testing
import TestSupport

@Suite("The demo data, loaded twice, on both engines")
struct DemoDataTests {
    @Test(arguments: Engine.allCases)
    func theDemoShowsEveryStageOfTheOrderFlowAndLoadsOnce(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, _ in
            try await DemoData.load(into: system)
            try await DemoData.load(into: system)  // idempotent: nothing new the second time
            let orders = try await system.orders.store.list(OrderFilter(), page: PageRequest(limit: 50)).items
            #expect(
                orders.map(\.status.rawValue).sorted() == [
                    "cancelled", "cancelled", "in_transit", "sent_to_warehouse", "sent_to_warehouse",
                ])
            let slips = try await system.fulfillment.store.list(SlipFilter(), page: PageRequest(limit: 50)).items
            #expect(slips.map(\.status.rawValue).sorted() == ["open", "packed", "shipped", "voided"])
            #expect(slips.contains { slip in slip.lines.contains { $0.kind == .kit } })
            let shipments = try await system.shipping.store.list(ShipmentFilter(), page: PageRequest(limit: 50)).items
            #expect(shipments.map(\.status) == [.inTransit])
            #expect(try await system.fulfillment.store.pickList(warehouse: "MAD").isEmpty == false)
            // Invoices for the four confirmed orders: one paid, one partly paid, one credited.
            let invoices = try await system.billing.store.list(InvoiceFilter(), page: PageRequest(limit: 50)).items
            #expect(invoices.map(\.status.rawValue).sorted() == ["credited", "issued", "paid", "partially_paid"])
            #expect(invoices.contains { $0.creditNote != nil })
            // Sales counts the three orders that were confirmed and not cancelled.
            #expect(try await system.sales.store.orders(ReportPeriod()).count == 3)
            #expect(try await system.sales.store.soldItems(ReportPeriod()).isEmpty == false)
            // The graph: what fits a Golf VII 1.4 TSI (its brake kit through its components), and a
            // replaced part's newest successor.
            let catalog = system.catalog.store
            let golf = try await catalog.list(PartFilter(fits: "VW-GOLF7-14TSI"), page: PageRequest(limit: 200))
            #expect(golf.items.map(\.sku).contains("KIT-BRK-FRONT-VW-GOLF7"))
            #expect(golf.items.map(\.sku).contains("WM-PMP-BOSCH-00145787") == false)
            #expect(
                try await catalog.models(query: nil, kind: nil, make: nil, page: PageRequest(limit: 200)).items.count
                    >= 30)
            #expect(try await catalog.replacement(of: "BRK-PAD-VW-1K0698151B").current == "BRK-PAD-VW-1K0698151")
            #expect(try await catalog.categories().count > 20)
            for service in ServiceName.allCases {
                guard let database = system.databases[service] else { continue }
                #expect(try await service.module.reconcile(database) == [], "\(service)")
            }
        }
    }
}
