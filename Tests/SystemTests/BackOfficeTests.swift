import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import Composition
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("The back office through the router: staff only, a session cookie, CSRF on every form, on both engines")
struct BackOfficeTests {
    /// What a browser keeps between requests: the cookies the server set.
    final class Browser: @unchecked Sendable {
        var cookies: [String: String] = [:]
        let client: any TestClientProtocol

        init(_ client: any TestClientProtocol) { self.client = client }

        func request(_ method: HTTPRequest.Method, _ uri: String, form: [(String, String)]? = nil, raw: String? = nil)
            async throws -> (status: HTTPResponse.Status, headers: HTTPFields, text: String)
        {
            var headers = HTTPFields()
            if !cookies.isEmpty {
                headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            }
            var body: ByteBuffer?
            if let form {
                headers[.contentType] = "application/x-www-form-urlencoded"
                var allowed = CharacterSet.alphanumerics
                allowed.insert(charactersIn: "-._~")
                body = ByteBuffer(
                    string: form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
                        .joined(separator: "&"))
            } else if let raw {
                headers[.contentType] = "application/x-www-form-urlencoded"
                body = ByteBuffer(string: raw)
            }
            let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
            for value in response.headers[values: .setCookie] {
                let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0])
                let cookieValue = pair.count > 1 ? String(pair[1]) : ""
                if cookieValue.isEmpty || value.contains("Max-Age=0") {
                    cookies[name] = nil
                } else {
                    cookies[name] = cookieValue
                }
            }
            return (response.status, response.headers, String(buffer: response.body))
        }

        /// Signs in as `email`; the answer to the form.
        func signIn(_ email: String, _ password: String) async throws -> (status: HTTPResponse.Status, text: String) {
            let page = try await request(.get, "/admin/sign-in")
            let token = try #require(Self.hidden("csrf", in: page.text))
            let answer = try await request(
                .post, "/admin/sign-in", form: [("csrf", token), ("email", email), ("password", password)])
            return (answer.status, answer.text)
        }

        /// The value of the hidden input `name` in `html`.
        static func hidden(_ name: String, in html: String) -> String? {
            guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
            return String(html[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test(arguments: Engine.allCases)
    func staffRunOrdersAndHostileFormsChangeNothing(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            for (email, role) in [("desk@example.com", Role.staff), ("buyer@example.com", Role.customer)] {
                _ = try await system.customers.identity.register(
                    email: email, name: "Desk", password: "correct-horse", role: role)
            }
            var address = OrdersAPITests.address
            address["city"] = "<i>Lyon</i>"
            let placed = try await client.json(
                .post, "/api/v1/orders",
                ["lines": [["sku": "PAD", "quantity": 1]], "shippingAddress": address, "billingAddress": address],
                token: world.ann)
            #expect(placed.status == .created)
            let (id, number) = (
                try #require(placed.object["id"] as? String), try #require(placed.object["number"] as? String)
            )

            let browser = Browser(client)
            // Without a session: the sign-in page.
            let away = try await browser.request(.get, "/admin/orders")
            #expect(away.status == .seeOther && away.headers[.location] == "/admin/sign-in")
            // A customer is turned away and gets no session.
            let customer = try await browser.signIn("buyer@example.com", "correct-horse")
            #expect(customer.status == .forbidden && customer.text.contains("Staff only"))
            #expect(browser.cookies["sprocket_admin"] == nil)
            // A wrong password is the identity service's answer.
            #expect(try await browser.signIn("desk@example.com", "wrong-horse").status == .unauthorized)
            // A sign-in form that is not this browser's (no sign-in cookie) is refused.
            let stranger = try await Browser(client).request(
                .post, "/admin/sign-in",
                form: [("csrf", "guess"), ("email", "desk@example.com"), ("password", "correct-horse")])
            #expect(stranger.status == .forbidden)

            let signedIn = try await browser.signIn("desk@example.com", "correct-horse")
            #expect(signedIn.status == .seeOther)
            #expect(browser.cookies["sprocket_admin"] != nil)

            // The list shows the order, with what customers typed escaped.
            let list = try await browser.request(.get, "/admin/orders")
            #expect(list.status == .ok && list.text.contains(number))
            #expect(list.text.contains("&lt;i&gt;Lyon&lt;/i&gt;") && !list.text.contains("<i>Lyon"))
            #expect(
                list.headers[values: HTTPField.Name("Content-Security-Policy")!].first?.contains(
                    "frame-ancestors 'none'") == true)
            // By customer: an email or name that one account matches, none, or several to choose from.
            #expect(!(try await browser.request(.get, "/admin/orders?customer=buyer%40example").text.contains(number)))
            #expect(try await browser.request(.get, "/admin/orders?customer=nobody-here").text.contains("No customer"))
            #expect(
                try await browser.request(.get, "/admin/orders?customer=example.com").text.contains("Several customers")
            )
            // Found by its number (any case), and not by another.
            #expect(
                try await browser.request(.get, "/admin/orders?number=\(number.lowercased())").text.contains(number))
            #expect(!(try await browser.request(.get, "/admin/orders?number=SO-1999-000001").text.contains(number)))

            let page = try await browser.request(.get, "/admin/orders/\(id)")
            #expect(page.status == .ok && page.text.contains(number))
            let csrf = try #require(Browser.hidden("csrf", in: page.text))
            // A form without the session's CSRF token, or with another, is refused and changes nothing.
            for form in [[("reason", "forged")], [("reason", "forged"), ("csrf", "not-it")]] {
                #expect(try await browser.request(.post, "/admin/orders/\(id)/cancel", form: form).status == .forbidden)
            }
            // An unreadable form is a 400.
            #expect(
                try await browser.request(.post, "/admin/orders/\(id)/cancel", raw: "csrf=\(csrf)&reason=%zz").status
                    == .badRequest)
            let unchanged = try await client.json(.get, "/api/v1/orders/\(id)", token: world.staff)
            #expect(unchanged.object["status"] as? String != "cancelled")
            // A problem from the API comes back to the page it was sent from.
            let empty = try await browser.request(
                .post, "/admin/orders/\(id)/cancel",
                form: [("csrf", csrf), ("reason", " "), ("back", "/admin/orders/\(id)")])
            #expect(empty.status == .seeOther && empty.headers[.location]?.contains("error=") == true)

            // With it, the order is cancelled, once, by the signed-in staff member.
            let key = "admin-test-\(UUID().uuidString)"
            for _ in 0..<2 {
                let cancel = try await browser.request(
                    .post, "/admin/orders/\(id)/cancel",
                    form: [("csrf", csrf), ("key", key), ("reason", "customer called")])
                #expect(cancel.status == .seeOther)
            }
            let cancelled = try await client.json(.get, "/api/v1/orders/\(id)/history", token: world.staff)
            #expect(cancelled.items.filter { $0["to"] as? String == "cancelled" }.count == 1)

            // A file sent by the import page's script needs the token in its header.
            let upload = try await browser.request(.post, "/admin/catalog/imports?kind=parts", raw: "sku,name\n")
            #expect(upload.status == .forbidden)
            // The other screens answer for staff.
            for page in [
                "/admin/warehouse", "/admin/stock", "/admin/invoices", "/admin/catalog?q=part", "/admin/sales",
            ] {
                let answer = try await browser.request(.get, page)
                #expect(answer.status == .ok, "\(page): \(answer.status)")
            }

            // Signing out needs the form's token too; then the session is gone.
            _ = try await browser.request(.post, "/admin/sign-out", form: [("csrf", csrf)])
            #expect(browser.cookies["sprocket_admin"] == nil)
            #expect(try await browser.request(.get, "/admin/orders").status == .seeOther)
        }
    }
}
