import Billing
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Composition
import Testing
import TestSupport

@Suite("Invoices, payments and credit notes through the router, on both engines")
struct BillingAPITests {
    static func invoices(_ client: any TestClientProtocol, order id: String, token: String) async throws -> [[String:
        Any]]
    {
        try await client.json(.get, "/api/v1/invoices?orderId=\(id)", token: token).items
    }

    @Test(arguments: Engine.allCases)
    func aConfirmedOrderIsInvoicedPaidAndItsPageIsPrintable(engine: Engine) async throws {
        try await SystemHarness.with(
            engine, configure: { $0.settings.options[BillingService.sellerName.name] = #"Sprocket <Parts> & "Co""# }
        ) {
            system, client in
            let world = try await OrdersAPITests.world(system, client)
            let placed = try await client.json(
                .post, "/api/v1/orders",
                OrdersAPITests.orderBody([["sku": "PAD", "quantity": 2], ["sku": "DISC", "quantity": 1]]),
                token: world.ann)
            let orderId = try #require(placed.object["id"] as? String)
            try await system.publishPendingEvents()

            let mine = try await Self.invoices(client, order: orderId, token: world.ann)
            #expect(mine.count == 1)
            let invoice = try #require(mine.first)
            #expect(
                (invoice["number"] as? String)?.range(of: #"^INV-\d{4}-\d{6}$"#, options: .regularExpression) != nil)
            #expect(invoice["orderNumber"] as? String == placed.object["number"] as? String)
            // Totals equal the order's to the cent; lines carry net, rate, tax, gross.
            for (field, orderField) in [("net", "subtotal"), ("tax", "tax"), ("gross", "total")] {
                #expect(
                    (invoice[field] as? [String: String])?["amount"]
                        == (placed.object[orderField] as? [String: String])?["amount"], "\(field)")
            }
            let lines = try #require(invoice["lines"] as? [[String: Any]])
            #expect(lines.map { $0["taxRate"] as? String } == ["19", "19"])
            #expect(lines.map { ($0["net"] as? [String: String])?["amount"] } == ["79.80", "54.00"])
            #expect((invoice["buyer"] as? [String: Any])?["company"] as? String == "Fischer KFZ")
            #expect((invoice["seller"] as? [String: Any])?["vatId"] as? String == "DE000000000")
            #expect(invoice["status"] as? String == "issued")
            let id = try #require(invoice["id"] as? String)

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
            #expect(page.text.contains(invoice["number"] as? String ?? "?"))
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
            let partial = try await pay("100.00", token: world.staff)
            #expect(partial.status == .created)
            #expect(partial.object["status"] as? String == "partially_paid")
            #expect((partial.object["balance"] as? [String: String])?["amount"] == "59.22")
            let receivables = try await client.json(.get, "/api/v1/receivables", token: world.staff)
            #expect(receivables.items.map { $0["invoiceId"] as? String } == [id])
            #expect(receivables.items.first?["bucket"] as? String == "0-30")
            #expect(
                ((receivables.object["totals"] as? [[String: Any]])?.first?["balance"] as? [String: String])?["amount"]
                    == "59.22")
            #expect(try await client.json(.get, "/api/v1/receivables", token: world.ann).status == .forbidden)
            let over = try await pay("59.23", token: world.staff)
            #expect(over.status == .conflict)
            #expect(over.code == "billing.overpayment")
            #expect(try await pay("1.00", token: world.staff, currency: "USD").code == "billing.currency_mismatch")
            let rest = try await pay("59.22", token: world.staff)
            #expect(rest.object["status"] as? String == "paid")
            #expect((rest.object["payments"] as? [[String: Any]])?.count == 2)
            #expect(try await client.json(.get, "/api/v1/receivables", token: world.staff).items.isEmpty)
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
            let placed = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1]]), token: world.ann)
            let orderId = try #require(placed.object["id"] as? String)
            try await system.publishPendingEvents()
            #expect(try await client.json(.post, "/api/v1/orders/\(orderId)/cancel", token: world.ann).status == .ok)
            try await system.publishPendingEvents()
            let invoice = try #require(try await Self.invoices(client, order: orderId, token: world.ann).first)
            #expect(invoice["status"] as? String == "credited")
            #expect((invoice["gross"] as? [String: String])?["amount"] == "47.48")  // unchanged
            let note = try #require(invoice["creditNote"] as? [String: Any])
            #expect((note["number"] as? String)?.range(of: #"^CN-\d{4}-\d{6}$"#, options: .regularExpression) != nil)
            #expect((note["gross"] as? [String: String])?["amount"] == "-47.48")
            let id = try #require(invoice["id"] as? String)
            let pay = try await client.json(
                .post, "/api/v1/invoices/\(id)/payments",
                ["amount": ["amount": "1.00", "currency": "EUR"], "method": "cash", "reference": "till"],
                token: world.staff)
            #expect(pay.code == "billing.invoice_credited")
            let page = try await client.json(
                .get, "/api/v1/invoices/\(id)", token: world.staff, headers: [.accept: "text/html"])
            #expect(page.text.contains(note["number"] as? String ?? "?"))
            // An order refused for stock was never confirmed: no invoice.
            let refused = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1000]]), token: world.ann)
            try await system.publishPendingEvents()
            #expect(
                try await Self.invoices(
                    client, order: try #require(refused.object["id"] as? String), token: world.staff
                )
                .isEmpty)
        }
    }
}
