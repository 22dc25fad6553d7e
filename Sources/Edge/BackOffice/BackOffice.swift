import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceKit

/// The back office at `/admin`: server-rendered pages for staff over the services' REST API (called in
/// this process, with the staff member's token), so every action has the REST API's validation,
/// idempotency and authorization. Served by `sprocket serve` and, in distributed mode, by the gateway.
///
/// Sign-in exchanges email and password for an access token (customers are turned away); the token
/// lives in an `HttpOnly`, `SameSite=Strict` cookie, and every form carries a CSRF token derived from
/// it. Every write a form makes carries an idempotency key rendered with the form, so a double submit
/// applies once.
public struct BackOffice: Sendable {
    let api: StaffAPI
    let pages: Pages
    /// The pages' live updates: the ids of orders whose status changes.
    let live: LiveUpdates

    /// `responder` answers the REST API (`/api/v1/…`) in this process; `changes`, when given, streams
    /// the ids of orders whose status changed (for the pages' live updates).
    public init(
        logger: Logger, changes: (@Sendable () -> AsyncStream<String>)? = nil,
        responder: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) throws {
        self.api = StaffAPI(responder: responder, logger: logger)
        self.pages = try Pages()
        self.live = LiveUpdates(changes: changes)
    }

    /// The back office's routes whose bodies may be larger than the default for routes outside the
    /// contracts (a CSV import's file).
    public static let bodyLimits: [String: Int] = ["/admin/catalog/imports": importLimit]

    public func register(on router: Router<AppRequestContext>) {
        router.get("admin") { _, _ in Pages.redirect("/admin/orders") }
        router.get("admin/sign-in") { request, _ in signInPage(request) }
        router.post("admin/sign-in") { request, context in try await signIn(request, context) }
        router.post("admin/sign-out") { request, _ in try await signOut(request) }
        router.get("admin/live.js") { _, _ in LiveUpdates.script() }
        router.get("admin/import.js") { _, _ in Pages.script(Pages.importScript) }
        router.get("admin/events") { request, _ in live.events(for: StaffSession(request: request)) }
        screen(.get, "admin/orders", on: router) { try await ordersPage($0) }
        screen(.get, "admin/orders/:id", on: router) { try await orderPage($0) }
        screen(.post, "admin/orders/:id/cancel", on: router) { try await cancelOrder($0) }
        screen(.get, "admin/warehouse", on: router) { try await warehousePage($0) }
        screen(.get, "admin/warehouse/:code/pick-list", on: router) { try await pickList($0) }
        screen(.get, "admin/slips/:id/print", on: router) { try await slipPrint($0) }
        screen(.post, "admin/slips/:id/pack", on: router) { try await packSlip($0) }
        screen(.post, "admin/slips/:id/ship", on: router) { try await shipSlip($0) }
        screen(.get, "admin/stock", on: router) { try await stockPage($0) }
        screen(.get, "admin/stock/:code/:sku", on: router) { try await stockRowPage($0) }
        screen(.post, "admin/stock/:code/:sku/adjustments", on: router) { try await adjustStock($0) }
        screen(.get, "admin/catalog", on: router) { try await catalogPage($0) }
        screen(.get, "admin/catalog/parts/:sku", on: router) { try await partPage($0) }
        screen(.post, "admin/catalog/parts/:sku", on: router) { try await updatePart($0) }
        screen(.get, "admin/catalog/models/:id", on: router) { try await modelPage($0) }
        screen(.get, "admin/catalog/imports", on: router) { try await importsPage($0) }
        screen(.post, "admin/catalog/imports", csrf: .header, on: router) { try await startImport($0) }
        screen(.get, "admin/catalog/imports/:id", on: router) { try await importPage($0) }
        screen(.get, "admin/sales", on: router) { try await salesPage($0) }
        screen(.get, "admin/sales/revenue.csv", on: router) { try await salesCSV($0, report: "revenue") }
        screen(.get, "admin/sales/sold-items.csv", on: router) { try await salesCSV($0, report: "sold-items") }
        screen(.get, "admin/invoices", on: router) { try await invoicesPage($0) }
        screen(.get, "admin/invoices/:id", on: router) { try await invoicePage($0) }
        screen(.get, "admin/invoices/:id/print", on: router) { try await invoicePrint($0) }
        screen(.post, "admin/invoices/:id/payments", on: router) { try await recordPayment($0) }
    }

    /// Where a post carries its CSRF token: a form's `csrf` field, or (a file the page's script sends
    /// as it is) the `X-CSRF-Token` header.
    enum CSRFPlace { case form, header }

    /// A page or form of a signed-in staff member: without a session, the sign-in page; a post without
    /// its CSRF token is refused (403); a problem from the API is shown on the page it came back to.
    private func screen(
        _ method: HTTPRequest.Method, _ path: RouterPath, csrf place: CSRFPlace = .form,
        on router: Router<AppRequestContext>, _ body: @escaping @Sendable (Visit) async throws -> Response
    ) {
        router.on(path, method: method) { request, context in
            guard let session = StaffSession(request: request) else {
                if method == .get { return Pages.redirect("/admin/sign-in") }
                return refusal(.forbidden, "Sign in first", "This form needs a signed-in staff member.")
            }
            var visit = Visit(
                request: request, parameters: context.parameters, session: session,
                caller: .init(token: session.token, remoteAddress: context.remoteAddress))
            if method == .post, place == .header {
                guard session.accepts(csrf: request.headers[.csrfToken]) else {
                    return refusal(
                        .forbidden, "Upload refused", "The upload did not carry this session's CSRF token.", session)
                }
            } else if method == .post {
                guard let form = try await Form.read(request) else {
                    return refusal(.badRequest, "Unreadable form", "The form's body could not be read.", session)
                }
                guard session.accepts(csrf: form["csrf"]) else {
                    return refusal(
                        .forbidden, "Form refused",
                        "The form did not carry this session's CSRF token. Reload the page and try again.", session)
                }
                visit.form = form
            }
            do {
                return try await body(visit)
            } catch let problem as Problem where problem.status == 401 {
                return Pages.redirect(
                    "/admin/sign-in",
                    cookies: [StaffSession.expired(StaffSession.cookie, secure: StaffSession.overTLS(request))])
            } catch let problem as Problem {
                if method == .post, let back = visit.back {
                    return Pages.redirect(Form.path(back, adding: "error", problem.summary))
                }
                return pages.response(
                    "problem",
                    visit.layout(title: problem.title, ["heading": problem.title, "problem": problem.context]),
                    status: HTTPResponse.Status(code: problem.status))
            }
        }
    }

    /// A refusal page (a form without a session or its CSRF token, an unreadable form).
    private func refusal(
        _ status: HTTPResponse.Status, _ title: String, _ detail: String, _ session: StaffSession? = nil
    ) -> Response {
        var context: [String: Any] = [
            "title": title, "heading": title, "problem": ["title": title, "detail": detail],
        ]
        if let session {
            context["session"] = ["email": session.email, "role": session.role]
            context["csrf"] = session.csrf
        }
        return pages.response("problem", context, status: status)
    }
}

/// One request of a signed-in staff member: the session, the route's parameters, the query and (for a
/// form) the posted fields.
struct Visit: Sendable {
    let request: Request
    let parameters: Parameters
    let session: StaffSession
    let caller: StaffAPI.Caller
    var form: [String: String] = [:]

    init(request: Request, parameters: Parameters, session: StaffSession, caller: StaffAPI.Caller) {
        self.request = request
        self.parameters = parameters
        self.session = session
        self.caller = caller
    }

    /// The route parameter `name` (always present on its route).
    func parameter(_ name: String) -> String { parameters.get(name).map { String($0) } ?? "" }

    /// The query's `name`, when given and not empty.
    func query(_ name: String) -> String? {
        request.uri.queryParameters[name[...]].map { String($0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The page a form goes back to: its `back` field, when it is a back-office path.
    var back: String? {
        guard let back = form["back"], back.hasPrefix("/admin/"), !back.hasPrefix("//") else { return nil }
        return back
    }

    /// The layout's context for a page titled `title`, with `page`'s values: the session, the CSRF
    /// token, a fresh key for the page's forms, and the notice or problem named in the query.
    func layout(title: String, nav: String? = nil, _ page: [String: Any]) -> [String: Any] {
        var context: [String: Any] = [
            "title": title, "session": ["email": session.email, "role": session.role], "csrf": session.csrf,
            "formKey": "admin-" + UUID().uuidString.lowercased(),
        ]
        if let nav { context["nav"] = [nav: true] }
        if let notice = query("done") { context["notice"] = notice }
        if let error = query("error") { context["problem"] = ["title": "Not done:", "detail": error] }
        return context.merging(page) { _, new in new }
    }
}

extension Problem {
    /// What a page shows of a problem.
    var context: [String: Any] {
        let errors = (errors ?? []).map { ["field": $0.field, "message": $0.message] }
        return ["title": title, "detail": detail ?? "", "errors": errors, "hasErrors": !errors.isEmpty]
    }

    /// One line: the title, the detail and the fields' messages.
    var summary: String {
        ([title, detail].compactMap { $0 } + (errors ?? []).map { "\($0.field): \($0.message)" }).joined(separator: " ")
    }
}
