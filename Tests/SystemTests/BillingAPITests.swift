import Billing
import BillingAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Composition
import Testing
import TestSupport

@Suite("Invoices, payments and credit notes through the router, on both engines")
struct BillingAPITests {
    typealias Invoice = BillingAPI.Components.Schemas.Invoice

    static func invoices(_ client: any TestClientProtocol, order id: String, token: String) async throws -> [Invoice] {
        try await client.clients(token).billing.listInvoices(query: .init(orderId: id)).ok.body.json.items
    }

    @Test(arguments: Engine.allCases)
    func aConfirmedOrderIsInvoicedPaidAndItsPageIsPrintable(engine: Engine) async throws {
        try await SystemHarness.with(
            engine, configure: { $0.settings.options[BillingService.sellerName.name] = #"Sprocket <Parts> & "Co""# }
        ) {
            system, client in
            let world = try await OrdersAPITests.world(system, client)
            let order = try await OrdersAPITests.place(client, [("PAD", 2), ("DISC", 1)], token: world.ann)
            try await system.publishPendingEvents()

            let mine = try await Self.invoices(client, order: order.id, token: world.ann)
            #expect(mine.count == 1)
            let invoice = try #require(mine.first)
            #expect(invoice.number.range(of: #"^INV-\d{4}-\d{6}$"#, options: .regularExpression) != nil)
            #expect(invoice.orderNumber == order.number)
            // Totals equal the order's to the cent; lines carry net, rate, tax, gross.
            #expect(invoice.net.amount == order.subtotal.amount)
            #expect(invoice.tax.amount == order.tax.amount)
            #expect(invoice.gross.amount == order.total.amount)
            #expect(invoice.lines.map(\.taxRate) == ["19", "19"])
            #expect(invoice.lines.map(\.net.amount) == ["79.80", "54.00"])
            #expect(invoice.buyer.company == "Fischer KFZ")
            #expect(invoice.seller.vatId == "DE000000000")
            #expect(invoice.status == .issued)
            let id = invoice.id

            // Nobody else's: another customer sees none and gets 404.
            #expect(try await client.json(.get, "/api/v1/invoices", token: world.bob).items.isEmpty)
            #expect(try await client.json(.get, "/api/v1/invoices/\(id)", token: world.bob).status == .notFound)

            // The printable page: escaped, self-contained.
            let page = try await client.json(
                .get, "/api/v1/invoices/\(id)", token: world.ann, headers: [.accept: "text/html"])
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none'") == true)
            #expect(page.text.contains(#"Sprocket &lt;Parts&gt; &amp; &quot;Co&quot;"#))
            #expect(!page.text.contains("<Parts>"))
            #expect(page.text.contains(invoice.number))
            #expect(page.text.contains("159.22 EUR"))
            for external in ["http://", "https://", "src=", "<link", "<script", "@import", "url("] {
                #expect(!page.text.contains(external), "the page loads nothing: \(external)")
            }

            // Payments: customers cannot record them; overpaying is refused; paid in two parts.
            func pay(_ amount: String, token: String, currency: String = "EUR") async throws -> JSONResponse {
                try await client.json(
                    .post, "/api/v1/invoices/\(id)/payments",
                    [
                        "amount": ["amount": amount, "currency": currency], "method": "bank_transfer",
                        "reference": "SEPA 1",
                    ],
                    token: token)
            }
            #expect(try await pay("10.00", token: world.ann).status == .forbidden)
            #expect(try await pay("0.00", token: world.staff).code == "billing.payment_not_positive")
            let staff = client.clients(world.staff)
            func record(_ amount: String) async throws -> Invoice {
                try await staff.billing.recordPayment(
                    path: .init(id: id),
                    body: .json(
                        .init(
                            amount: .init(amount: amount, currency: "EUR"), method: .bankTransfer, reference: "SEPA 1"))
                ).created.body.json
            }
            let partial = try await record("100.00")
            #expect(partial.status == .partiallyPaid)
            #expect(partial.balance.amount == "59.22")
            let receivables = try await staff.billing.listReceivables().ok.body.json
            #expect(receivables.items.map(\.invoiceId) == [id])
            #expect(receivables.items.first?.bucket == ._030)
            #expect(receivables.totals.first?.balance.amount == "59.22")
            #expect(try await client.json(.get, "/api/v1/receivables", token: world.ann).status == .forbidden)
            let limited = try await client.json(.get, "/api/v1/receivables?limit=1", token: world.staff)
            #expect(limited.items.count == 1)
            for bad in ["0", "1001"] {
                let refused = try await client.json(.get, "/api/v1/receivables?limit=\(bad)", token: world.staff)
                #expect(refused.status == .unprocessableContent)
            }
            let over = try await pay("59.23", token: world.staff)
            #expect(over.status == .conflict)
            #expect(over.code == "billing.overpayment")
            #expect(try await pay("1.00", token: world.staff, currency: "USD").code == "billing.currency_mismatch")
            let rest = try await record("59.22")
            #expect(rest.status == .paid)
            #expect(rest.payments.count == 2)
            #expect(try await staff.billing.listReceivables().ok.body.json.items.isEmpty)
            #expect(try await pay("0.01", token: world.staff).code == "billing.invoice_paid")
            let future = try await client.json(
                .post, "/api/v1/invoices/\(id)/payments",
                [
                    "amount": ["amount": "1.00", "currency": "EUR"], "method": "card", "reference": "x",
                    "at": "2999-01-01T00:00:00Z",
                ],
                token: world.staff)
            #expect(future.code == "billing.payment_in_future")
            #expect(try await BillingService.reconcile(system.billing.store.database) == [])
        }
    }

    @Test(arguments: Engine.allCases)
    func cancellingAnInvoicedOrderIssuesACreditNote(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let orderId = try await OrdersAPITests.place(client, [("PAD", 1)], token: world.ann).id
            try await system.publishPendingEvents()
            _ = try await client.clients(world.ann).orders.cancelOrder(path: .init(id: orderId)).ok
            try await system.publishPendingEvents()
            let invoice = try #require(try await Self.invoices(client, order: orderId, token: world.ann).first)
            #expect(invoice.status == .credited)
            #expect(invoice.gross.amount == "47.48")  // unchanged
            let note = try #require(invoice.creditNote)
            #expect(note.number.range(of: #"^CN-\d{4}-\d{6}$"#, options: .regularExpression) != nil)
            #expect(note.gross.amount == "-47.48")
            let id = invoice.id
            let pay = try await client.json(
                .post, "/api/v1/invoices/\(id)/payments",
                ["amount": ["amount": "1.00", "currency": "EUR"], "method": "cash", "reference": "till"],
                token: world.staff)
            #expect(pay.code == "billing.invoice_credited")
            let page = try await client.json(
                .get, "/api/v1/invoices/\(id)", token: world.staff, headers: [.accept: "text/html"])
            #expect(page.text.contains(note.number))
            // An order refused for stock was never confirmed: no invoice.
            let refused = try await OrdersAPITests.place(client, [("PAD", 1000)], token: world.ann)
            try await system.publishPendingEvents()
            #expect(try await Self.invoices(client, order: refused.id, token: world.staff).isEmpty)
        }
    }
}
