import Billing
import Foundation
import IntegrationEvents
import ServiceKit
import Testing

@Suite("Billing rules")
struct BillingRulesTests {
    static let address = PostalAddress(
        firstName: "Ana", lastName: "García", company: "Taller García SL", email: nil, phone: nil,
        line1: "Calle Mayor 1",
        line2: nil, line3: nil, city: "Madrid", region: nil, postalCode: "28013", country: "ES")

    static func eur(_ amount: String) -> MoneyAmount { MoneyAmount(amount: amount, currency: "EUR") }

    /// An order of three lines at 19 %: 10.00 + 10.00 + 10.01 = 30.01, tax 5.70 (30.01 × 0.19 = 5.7019).
    static func order(
        id: String = "o1", lines: [(String, Int, String, String)]? = nil, subtotal: String = "30.01",
        tax: String = "5.70", total: String = "35.71"
    ) -> OrderSnapshot {
        let lines = (lines ?? [("A", 1, "10.00", "10.00"), ("B", 2, "5.00", "10.00"), ("C", 1, "10.01", "10.01")]).map {
            OrderLineSnapshot(
                sku: $0.0, name: "Part \($0.0)", quantity: $0.1, unitPrice: eur($0.2), lineTotal: eur($0.3))
        }
        return OrderSnapshot(
            orderId: id, number: "SO-2026-000001", customerId: "c1", status: "confirmed", lines: lines,
            shippingAddress: address, billingAddress: address, subtotal: eur(subtotal), tax: eur(tax),
            taxRateBasisPoints: 1900, total: eur(total), createdAt: Date(), version: 2)
    }

    @Test func invoiceLinesAddUpToTheOrderToTheCent() throws {
        let invoice = try BillingRules.lines(for: Self.order())
        #expect(invoice.net == 3001)
        #expect(invoice.tax == 570)
        #expect(invoice.gross == 3571)
        #expect(invoice.lines.map(\.net) == [1000, 1000, 1001])
        // 570 spread by net: 189.94…, 189.94…, 190.13… → 189, 189, 190, and the cent left to the largest remainder.
        #expect(invoice.lines.map(\.tax).reduce(0, +) == 570)
        #expect(invoice.lines.map(\.tax) == [190, 190, 190])
        #expect(invoice.lines.map(\.gross) == [1190, 1190, 1191])
        #expect(invoice.lines.allSatisfy { $0.taxRateBasisPoints == 1900 })
        #expect(invoice.lines[1].unitPrice == 500)
    }

    @Test func anOrderWhoseAmountsDisagreeIsRefused() {
        #expect(throws: BillingRules.InconsistentOrder.self) {
            try BillingRules.lines(for: Self.order(subtotal: "30.00", tax: "5.70", total: "35.70"))
        }
        #expect(throws: BillingRules.InconsistentOrder.self) {
            try BillingRules.lines(for: Self.order(tax: "5.70", total: "99.99"))
        }
    }

    static let spreads: [(Int64, [Int64])] = [
        (570, [1000, 1000, 1001]), (0, [5, 5]), (1, [1, 1, 1]), (999_999_999_999, [999_999_999_999, 1]), (7, [0, 0]),
    ]

    @Test(arguments: Self.spreads)
    func aSpreadAlwaysAddsUpExactly(amount: Int64, weights: [Int64]) {
        let parts = BillingRules.spread(amount, over: weights)
        #expect(parts.reduce(0, +) == amount)
        #expect(parts.count == weights.count)
        #expect(parts.allSatisfy { $0 >= 0 })
    }

    static func invoice(gross: Int64 = 3571) -> Invoice {
        Invoice(
            id: "i1", number: "INV-2026-000001", orderId: "o1", orderNumber: "SO-2026-000001", customerId: "c1",
            issuedAt: Date(timeIntervalSince1970: 1_790_000_000), currency: "EUR",
            seller: Seller(name: "S", address: "A", vatId: "V"), buyer: address, lines: [], net: 3001, tax: 570,
            gross: gross, paid: 0, status: .issued, payments: [], creditNote: nil)
    }

    static func payment(_ amount: Int64) -> Payment {
        Payment(
            id: "p\(amount)", amount: amount, method: "bank_transfer", reference: "R", at: Date(), recordedAt: Date(),
            actor: "s")
    }

    @Test func paymentsMoveTheStatusAndNeverExceedTheBalance() throws {
        var invoice = Self.invoice()
        try BillingRules.record(Self.payment(1000), on: &invoice)
        #expect(invoice.status == .partiallyPaid)
        #expect(invoice.balance == 2571)
        do {
            try BillingRules.record(Self.payment(2572), on: &invoice)
            Issue.record("an overpayment was taken")
        } catch {
            #expect(error.code == "billing.overpayment")
            #expect(error.detail?.contains("25.71 EUR") == true)
        }
        try BillingRules.record(Self.payment(2571), on: &invoice)
        #expect(invoice.status == .paid)
        #expect(invoice.balance == 0)
        #expect(invoice.payments.count == 2)
        do {
            try BillingRules.record(Self.payment(1), on: &invoice)
            Issue.record("a paid invoice took more")
        } catch {
            #expect(error.code == "billing.invoice_paid")
        }
        var credited = Self.invoice()
        credited.status = .credited
        #expect(throws: Problem.self) { try BillingRules.record(Self.payment(1), on: &credited) }
    }

    @Test func aCreditNoteReversesTheInvoiceInFull() {
        let note = BillingRules.creditNote(
            for: Self.invoice(), id: "cn1", number: "CN-2026-000001", reason: "x", at: Date())
        #expect((note.net, note.tax, note.gross) == (-3001, -570, -3571))
        #expect(note.invoiceId == "i1")
    }

    @Test func agesFallIntoTheirBuckets() {
        let issued = Date(timeIntervalSince1970: 1_790_000_000)
        let day: TimeInterval = 86_400
        #expect(
            [0, 30, 31, 60, 61, 90, 91, 400].map {
                BillingRules.ageBucket(issuedAt: issued, now: issued + Double($0) * day)
            }
                == ["0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "90+", "90+"])
    }
}
