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
            ("stock", PackageResources.stock_mustache), ("stock-row", PackageResources.stock_row_mustache),
            ("catalog", PackageResources.catalog_mustache), ("part", PackageResources.part_mustache),
            ("model", PackageResources.model_mustache), ("imports", PackageResources.imports_mustache),
            ("import", PackageResources.import_mustache), ("sales", PackageResources.sales_mustache),
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

    /// A script of the pages (`/admin/*.js`).
    static func script(_ source: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/javascript; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: source)))
    }

    /// The import form's script: sends the chosen file as it is (`text/csv`), with the session's CSRF
    /// token in a header, then opens the import's page.
    static let importScript = #"""
        (() => {
          const form = document.getElementById("import-form"), error = document.getElementById("import-error");
          form.addEventListener("submit", async (event) => {
            event.preventDefault();
            const file = document.getElementById("import-file").files[0];
            if (!file) return;
            const kind = document.getElementById("import-kind").value;
            const answer = await fetch("/admin/catalog/imports?kind=" + encodeURIComponent(kind), {
              method: "POST", credentials: "same-origin", body: file,
              headers: { "Content-Type": "text/csv", "X-CSRF-Token": form.dataset.csrf },
            });
            if (answer.status === 202) { location.href = answer.headers.get("Location"); return; }
            const page = new DOMParser().parseFromString(await answer.text(), "text/html");
            const problem = page.getElementById("problem");
            error.textContent = problem ? problem.textContent : "The import was refused (" + answer.status + ").";
            error.hidden = false;
          });
        })();
        """#

    /// A `303 See Other` to `location` (after a form: the browser loads the page with GET).
    static func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        var response = Response(status: .seeOther, headers: headers)
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// No framing, no caching, no inline or foreign scripts: the pages' own stylesheet is inline, their
    /// scripts are `/admin/live.js` and `/admin/import.js`. (`nosniff` is on every response already:
    /// `ContentSafetyMiddleware`.)
    static let securityHeaders: HTTPFields = [
        .cacheControl: "no-store",
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        .xFrameOptions: "DENY", .referrerPolicy: "same-origin",
    ]
}

// swift-format-ignore: NeverForceUnwrap
// Constant, valid header names: the failable initializer cannot fail for them.
extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    /// The CSRF token of a post that is not a form (the import page's file).
    static let csrfToken = Self("X-CSRF-Token")!
}
