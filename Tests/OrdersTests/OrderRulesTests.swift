import Foundation
import Orders
import ServiceKit
import Testing

@Suite("Order domain rules")
struct OrderRulesTests {
    static let legalMoves: Set<String> = [
        "pending_confirmation>confirmed", "pending_confirmation>cancelled", "confirmed>sent_to_warehouse",
        "confirmed>cancelled", "sent_to_warehouse>shipped", "sent_to_warehouse>cancelled", "shipped>in_transit",
        "in_transit>delivered",
    ]

    static let allPairs: [(OrderStatus, OrderStatus)] = OrderStatus.allCases.flatMap { from in
        OrderStatus.allCases.map { (from, $0) }
    }

    static let address = Address(
        firstName: "Dana", lastName: "Fischer", line1: "Werkstattstraße 12", city: "Berlin", postalCode: "10115",
        country: "DE"
    )

    static let catalog: [String: CatalogEntry] = [
        "PAD": CatalogEntry(
            sku: "PAD", name: "Brake pad", price: Money(minorUnits: 3990, currency: "EUR"), active: true, version: 1),
        "DISC": CatalogEntry(
            sku: "DISC", name: "Brake disc", price: Money(minorUnits: 5400, currency: "EUR"), active: true, version: 3),
        "OLD": CatalogEntry(
            sku: "OLD", name: "Old part", price: Money(minorUnits: 100, currency: "EUR"), active: false, version: 2),
    ]

    static func order(_ status: OrderStatus) -> Order {
        Order(
            id: "o1", number: "SO-2026-000001", customerId: "c1", status: status, lines: [], shippingAddress: address,
            billingAddress: address, subtotal: Money(minorUnits: 0, currency: "EUR"),
            tax: Money(minorUnits: 0, currency: "EUR"),
            taxRateBasisPoints: 0, total: Money(minorUnits: 0, currency: "EUR"),
            createdAt: Date(timeIntervalSince1970: 0),
            updatedAt: Date(timeIntervalSince1970: 0), version: 4
        )
    }

    @Test(arguments: allPairs)
    func everyPairOfStatusesIsLegalOrRefusedWithTheAllowedMoves(from: OrderStatus, to: OrderStatus) throws {
        let key = "\(from.rawValue)>\(to.rawValue)"
        let now = Date(timeIntervalSince1970: 100)
        if Self.legalMoves.contains(key) {
            let (moved, change) = try Self.order(from).transition(to: to, at: now, by: "staff-1", reason: "because")
            #expect(moved.status == to)
            #expect(moved.version == 5)
            #expect(moved.updatedAt == now)
            #expect(change == StatusChange(from: from, to: to, at: now, actor: "staff-1", reason: "because"))
        } else {
            do {
                _ = try Self.order(from).transition(to: to, at: now, by: "staff-1", reason: nil)
                Issue.record("\(key) was allowed")
            } catch {
                #expect(error.status == 409)
                #expect(error.code == "order.illegal_transition")
                #expect(error.allowed == from.allowedMoves.map(\.rawValue))
            }
        }
    }

    @Test func cancellingIsPossibleExactlyBeforeShipping() {
        #expect(OrderStatus.allCases.filter(\.isCancellable) == [.pendingConfirmation, .confirmed, .sentToWarehouse])
    }

    private func price(_ lines: [(sku: String, quantity: Int)], country: String = "DE", taxes: TaxTable = TaxTable())
        throws -> Order
    {
        var billing = Self.address
        billing.country = country
        return try OrderDraft(lines: lines, shippingAddress: Self.address, billingAddress: billing).priced(
            id: "o1", number: "SO-2026-000001", customerId: "c1", catalog: Self.catalog, taxes: taxes, currency: "EUR",
            now: Date()
        )
    }

    @Test func linesArePricedFromTheCatalogAndTaxedByBillingCountry() throws {
        let order = try price([("pad", 2), ("DISC", 1)])
        #expect(order.lines.map(\.sku) == ["PAD", "DISC"])
        #expect(order.lines.map(\.name) == ["Brake pad", "Brake disc"])
        #expect(order.lines.map(\.lineTotal.minorUnits) == [7980, 5400])
        #expect(order.subtotal.minorUnits == 13380)
        #expect(order.taxRateBasisPoints == 1900)
        #expect(order.tax.minorUnits == 2542)  // 133.80 × 19 % = 25.422
        #expect(order.total.minorUnits == 15922)
        #expect(order.status == .pendingConfirmation)
        #expect(try price([("PAD", 1)], country: "US").tax.minorUnits == 0)
        #expect(try price([("PAD", 1)], country: "CH").tax.minorUnits == 0)
        let swiss = try #require(TaxTable(overrides: "CH=8.1"))
        #expect(try price([("PAD", 1)], country: "CH", taxes: swiss).tax.minorUnits == 323)  // 39.90 × 8.1 % = 3.2319
        #expect(try price([("PAD", 1)], country: "HU").tax.minorUnits == 1077)  // 27 %: 10.773
    }

    @Test func taxRoundsHalfUp() throws {
        let table = TaxTable(rates: ["DE": 1250])
        // 39.90 × 12.5 % = 4.9875 → 4.99
        #expect(try price([("PAD", 1)], taxes: table).tax.minorUnits == 499)
    }

    @Test func badDraftsReportEveryField() {
        var badAddress = Self.address
        badAddress.country = "XX"
        badAddress.postalCode = "10115!"
        badAddress.firstName = ""
        badAddress.email = "nope"
        badAddress.phone = "call me"
        let draft = OrderDraft(
            lines: [("GHOST", 1), ("OLD", 1), ("PAD", 0), ("pad", 1), ("DISC", 10_001)],
            shippingAddress: badAddress, billingAddress: Self.address
        )
        do {
            _ = try draft.priced(
                id: "o", number: "", customerId: "c", catalog: Self.catalog, taxes: TaxTable(), currency: "EUR",
                now: Date())
            Issue.record("a bad draft was priced")
        } catch {
            #expect(error.status == 422)
            #expect(
                (error.errors ?? []).map(\.field) == [
                    "lines.2.quantity", "lines.4.quantity",
                    "shippingAddress.firstName", "shippingAddress.postalCode", "shippingAddress.country",
                    "shippingAddress.email", "shippingAddress.phone",
                ])
        }
    }

    @Test func wellFormedLinesNamingPartsNotSoldConflictWithTheCatalog() {
        let draft = OrderDraft(
            lines: [("GHOST", 1), ("OLD", 1), ("PAD", 1)], shippingAddress: Self.address, billingAddress: Self.address)
        do {
            _ = try draft.priced(
                id: "o", number: "", customerId: "c", catalog: Self.catalog, taxes: TaxTable(), currency: "EUR",
                now: Date())
            Issue.record("unsold parts were priced")
        } catch {
            #expect(error.status == 409)
            #expect(error.code == "order.parts_unavailable")
            #expect((error.errors ?? []).map(\.field) == ["lines.0.sku", "lines.1.sku"])
        }
    }

    @Test func quantitiesAndTotalsThatWouldOverflowAre422NotATrap() {
        var catalog = Self.catalog
        catalog["DEAR"] = CatalogEntry(
            sku: "DEAR", name: "Dear", price: Money(minorUnits: 999_999_999_999_999, currency: "EUR"), active: true,
            version: 1)
        for lines in [[("PAD", 9_000_000_000_000_000_000)], [("DEAR", 10_000)], [("PAD", Int.min)]] {
            let draft = OrderDraft(lines: lines, shippingAddress: Self.address, billingAddress: Self.address)
            #expect(throws: Problem.self) {
                _ = try draft.priced(
                    id: "o", number: "", customerId: "c", catalog: catalog, taxes: TaxTable(), currency: "EUR",
                    now: Date())
            }
        }
        // Each line fits, the sum does not.
        let many = OrderDraft(
            lines: (0..<200).map { ("D\($0)", 10_000) }, shippingAddress: Self.address, billingAddress: Self.address)
        for index in 0..<200 {
            catalog["D\(index)"] = CatalogEntry(
                sku: "D\(index)", name: "d", price: Money(minorUnits: 999_999_999_999_999, currency: "EUR"),
                active: true, version: 1)
        }
        #expect(throws: Problem.self) {
            _ = try many.priced(
                id: "o", number: "", customerId: "c", catalog: catalog, taxes: TaxTable(), currency: "EUR", now: Date())
        }
        #expect(OrderDraft.tax(on: Money(minorUnits: .max / 2, currency: "EUR"), basisPoints: 1900) == nil)
    }

    @Test func linesNamingOnePartAreMerged() throws {
        let order = try price([("PAD", 1), ("DISC", 1), ("pad", 2), ("PAD", 10_000)])
        #expect(order.lines.map(\.sku) == ["PAD", "DISC"])
        #expect(order.lines.map(\.quantity) == [10_003, 1])
        #expect(order.subtotal.minorUnits == 10_003 * 3990 + 5400)
    }

    @Test func lineCountIsBounded() {
        #expect(throws: Problem.self) { try price([]) }
        let many = (0..<201).map { (sku: "S\($0)", quantity: 1) }
        do {
            _ = try price(many)
            Issue.record("201 lines were accepted")
        } catch let problem as Problem {
            #expect(problem.errors?.first?.field == "lines")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func taxOverridesAreParsedStrictly() {
        #expect(TaxTable(overrides: "GB=20, CH=8.1")?.rate(for: "GB") == 2000)
        #expect(TaxTable(overrides: "")?.rate(for: "DE") == 1900)
        #expect(TaxTable(overrides: "XX=5") == nil)
        #expect(TaxTable(overrides: "DE=150") == nil)
        #expect(TaxTable(overrides: "DE") == nil)
    }
}
