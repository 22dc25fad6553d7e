import BillingAPI
import Foundation
import OpenAPIRuntime
import ServiceKit

/// The billing service's HTTP API: maps generated types to the store and the page, and checks roles
/// (customers read their own invoices, anyone else's is 404; staff and admin read all and record payments).
struct BillingHandler: APIProtocol, ContractHandler {
    let store: BillingStore
    let pages: BillingPages
    let authenticator: Authenticator

    func listInvoices(_ input: Operations.ListInvoices.Input) async throws -> Operations.ListInvoices.Output {
        let principal = try await authenticator.require(.customer, .staff, .admin)
        let query = input.query
        let page = try PageRequest(limit: query.limit, cursor: query.cursor, keyCount: 2)
        let filter = InvoiceFilter(
            orderId: query.orderId, status: query.status.flatMap { InvoiceStatus(rawValue: $0.rawValue) },
            customerId: principal.isStaff ? nil : principal.subject, from: query.from, to: query.to)
        let result = try await store.list(filter, page: page)
        return .ok(
            .init(body: .json(.init(items: result.items.map(BillingMapping.invoice), nextCursor: result.nextCursor))))
    }

    func getInvoice(_ input: Operations.GetInvoice.Input) async throws -> Operations.GetInvoice.Output {
        let principal = try await authenticator.require(.customer, .staff, .admin)
        guard let invoice = try await store.invoice(input.path.id),
            principal.isStaff || invoice.customerId == principal.subject
        else { throw BillingProblems.notFound(input.path.id) }
        if ContentNegotiation.prefers(.html, over: .json, in: input.headers.accept) {
            return .ok(.init(body: .html(HTTPBody(pages.invoice(invoice)))))
        }
        return .ok(.init(body: .json(BillingMapping.invoice(invoice))))
    }

    func recordPayment(_ input: Operations.RecordPayment.Input) async throws -> Operations.RecordPayment.Output {
        let principal = try await authenticator.require(.staff, .admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the payment as JSON.") }
        guard let amount = Money(decimal: body.amount.amount, currency: body.amount.currency) else {
            throw Problem.validation([
                FieldError(field: "amount.amount", message: "is not an amount in \(body.amount.currency)")
            ])
        }
        if let at = body.at, at.timeIntervalSinceNow > 300 { throw BillingProblems.paymentInFuture(input.path.id) }
        let invoice = try await store.recordPayment(
            input.path.id, amount: amount, method: body.method.rawValue, reference: body.reference, at: body.at,
            actor: principal.subject)
        return .created(.init(body: .json(BillingMapping.invoice(invoice))))
    }

    func listReceivables(_ input: Operations.ListReceivables.Input) async throws -> Operations.ListReceivables.Output {
        _ = try await authenticator.require(.staff, .admin)
        var validator = Validator()
        if let limit = input.query.limit {
            validator.check((1...1_000).contains(limit), "limit", "must be 1 to 1000")
        }
        try validator.throwIfInvalid()
        let now = Date()
        let (open, totals) = try await store.receivables(now: now, limit: input.query.limit)
        let items: [Components.Schemas.Receivable] = open.map { entry in
            .init(
                invoiceId: entry.invoiceId, number: entry.number, orderNumber: entry.orderNumber,
                customerId: entry.customerId, issuedAt: entry.issuedAt,
                gross: BillingMapping.money(entry.gross, entry.currency),
                balance: BillingMapping.money(entry.balance, entry.currency),
                ageDays: Int(max(0, now.timeIntervalSince(entry.issuedAt)) / 86_400),
                bucket: Components.Schemas.Receivable.BucketPayload(rawValue: entry.bucket) ?? ._030)
        }
        let currency = open.first?.currency ?? store.currency
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: items,
                        totals: totals.map { total in
                            .init(
                                bucket: total.bucket, balance: BillingMapping.money(total.balance, currency),
                                invoices: total.invoices)
                        }))))
    }
}
