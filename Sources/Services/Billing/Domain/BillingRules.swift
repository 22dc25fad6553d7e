import Foundation
import IntegrationEvents
import ServiceKit

/// Billing's decisions: pure.
public enum BillingRules {
    /// An order's amounts do not add up (a bad event: it goes to dead letters).
    public struct InconsistentOrder: Error, CustomStringConvertible {
        public let orderId: String
        public let reason: String
        public var description: String { "order \(orderId): \(reason)" }
    }

    /// The invoice lines and totals of a confirmed order, equal to the order's to the cent: each line's
    /// net is the order line's total, and the order's tax (computed on the subtotal) is spread over the lines
    /// in proportion to their net, the cents left by rounding down going to the largest remainders.
    public static func lines(for order: OrderSnapshot) throws -> (
        lines: [InvoiceLine], net: Int64, tax: Int64, gross: Int64
    ) {
        let currency = order.total.currency
        func minor(_ amount: MoneyAmount, _ what: String) throws -> Int64 {
            guard amount.currency == currency, let money = Money(decimal: amount.amount, currency: currency) else {
                throw InconsistentOrder(orderId: order.orderId, reason: "\(what) is not an amount in \(currency)")
            }
            return money.minorUnits
        }
        let subtotal = try minor(order.subtotal, "subtotal")
        let tax = try minor(order.tax, "tax")
        let total = try minor(order.total, "total")
        let nets = try order.lines.map { try minor($0.lineTotal, "line \($0.sku)") }
        let units = try order.lines.map { try minor($0.unitPrice, "unit price of \($0.sku)") }
        var sum: Int64 = 0
        for net in nets {
            let (next, overflow) = sum.addingReportingOverflow(net)
            guard !overflow else { throw InconsistentOrder(orderId: order.orderId, reason: "lines overflow") }
            sum = next
        }
        guard sum == subtotal, subtotal.addingReportingOverflow(tax) == (total, false) else {
            throw InconsistentOrder(orderId: order.orderId, reason: "lines, subtotal, tax and total disagree")
        }
        let taxes = spread(tax, over: nets)
        let lines = order.lines.indices.map { index in
            InvoiceLine(
                sku: order.lines[index].sku, name: order.lines[index].name, quantity: order.lines[index].quantity,
                unitPrice: units[index], net: nets[index], taxRateBasisPoints: order.taxRateBasisPoints,
                tax: taxes[index], gross: nets[index] + taxes[index])
        }
        return (lines, subtotal, tax, total)
    }

    /// `amount` split over `weights` in proportion (largest remainder; ties to the earlier line); the parts
    /// add up to `amount` exactly. All zero weights: everything on the first part.
    public static func spread(_ amount: Int64, over weights: [Int64]) -> [Int64] {
        guard !weights.isEmpty else { return [] }
        let whole = weights.reduce(Int64(0)) { $0 &+ $1 }
        guard whole > 0 else { return [amount] + Array(repeating: 0, count: weights.count - 1) }
        var parts: [Int64] = []
        var remainders: [(index: Int, remainder: UInt64)] = []
        for (index, weight) in weights.enumerated() {
            // amount × weight / whole without overflow: 128-bit product.
            let product = amount.multipliedFullWidth(by: weight)
            let (quotient, remainder) = whole.dividingFullWidth(product)
            parts.append(quotient)
            remainders.append((index, UInt64(remainder.magnitude)))
        }
        var left = amount - parts.reduce(0, +)
        for entry in remainders.sorted(by: {
            $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index
        })
        where left > 0 {
            parts[entry.index] += 1
            left -= 1
        }
        return parts
    }

    /// Records `payment` on `invoice`: a credited invoice takes none, and more than the balance is
    /// refused (409 `billing.overpayment`, naming the balance).
    public static func record(_ payment: Payment, on invoice: inout Invoice) throws(Problem) {
        guard invoice.status != .credited else { throw BillingProblems.credited(invoice.id) }
        guard invoice.status != .paid else { throw BillingProblems.alreadyPaid(invoice.id) }
        guard payment.amount > 0 else { throw BillingProblems.notPositive(invoice.id) }
        guard payment.amount <= invoice.balance else {
            throw BillingProblems.overpayment(
                invoice.id, balance: Money(minorUnits: invoice.balance, currency: invoice.currency))
        }
        invoice.paid += payment.amount
        invoice.payments.append(payment)
        invoice.status = invoice.paid == invoice.gross ? .paid : .partiallyPaid
    }

    /// The credit note reversing `invoice` in full.
    public static func creditNote(for invoice: Invoice, id: String, number: String, reason: String?, at: Date)
        -> CreditNote
    {
        CreditNote(
            id: id, number: number, invoiceId: invoice.id, issuedAt: at, net: -invoice.net, tax: -invoice.tax,
            gross: -invoice.gross, reason: reason)
    }

    /// The age bucket of an open invoice: `0-30`, `31-60`, `61-90` or `90+` days since it was issued.
    /// The age buckets of receivables, youngest first.
    public static let ageBuckets = ["0-30", "31-60", "61-90", "90+"]

    public static func ageBucket(issuedAt: Date, now: Date) -> String {
        let days = Int(max(0, now.timeIntervalSince(issuedAt)) / 86_400)
        switch days {
        case ...30: return "0-30"
        case 31...60: return "31-60"
        case 61...90: return "61-90"
        default: return "90+"
        }
    }
}
