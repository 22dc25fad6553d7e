import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The back office's pages: Mustache templates embedded in the binary, each filling the `layout`'s
/// `main` block. Every value is HTML-escaped (`{{…}}`; the templates use no unescaped tags).
struct Pages: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        let templates: [(String, [UInt8])] = [
            ("style", PackageResources.style_mustache), ("layout", PackageResources.layout_mustache),
            ("sign-in", PackageResources.sign_in_mustache), ("orders", PackageResources.orders_mustache),
            ("order", PackageResources.order_mustache), ("slip-row", PackageResources.slip_row_mustache),
            ("warehouse", PackageResources.warehouse_mustache), ("invoices", PackageResources.invoices_mustache),
            ("invoice", PackageResources.invoice_mustache), ("problem", PackageResources.problem_mustache),
        ]
        for (name, bytes) in templates {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
    }

    /// `template` rendered with `context`, as an HTML response that no other site may frame and no cache
    /// keeps.
    func response(_ template: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = library.render(context, withTemplate: template) ?? ""
        return Self.html(html, status: status)
    }

    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: .init(string: html)))
    }

    /// A `303 See Other` to `location` (after a form: the browser loads the page with GET).
    static func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        var response = Response(status: .seeOther, headers: headers)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// No framing, no caching, no inline or foreign scripts: the pages' own stylesheet is inline, their
    /// one script is `/admin/live.js`.
    static let securityHeaders: HTTPFields = {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        if let csp = HTTPField.Name("Content-Security-Policy") {
            headers[csp] =
                "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        }
        if let name = HTTPField.Name("X-Frame-Options") { headers[name] = "DENY" }
        if let name = HTTPField.Name("Referrer-Policy") { headers[name] = "same-origin" }
        if let name = HTTPField.Name("X-Content-Type-Options") { headers[name] = "nosniff" }
        return headers
    }()
}
