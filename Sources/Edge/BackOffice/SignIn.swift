import Foundation
import Hummingbird
import ServiceKit

/// Signing in and out: the identity service's token for the email and password, kept only when the
/// account is staff or admin.
extension BackOffice {
    func signInPage(_ request: Request, email: String = "", problem: Problem? = nil) -> Response {
        if problem == nil, StaffSession(request: request) != nil { return Pages.redirect("/admin/orders") }
        let token = StaffSession.randomToken()
        var context: [String: Any] = ["title": "Sign in", "signInToken": token, "email": email]
        if let problem { context["problem"] = problem.context }
        var response = pages.response(
            "sign-in", context, status: problem.map { HTTPResponse.Status(code: $0.status) } ?? .ok)
        response.setCookie(
            Cookie(
                name: StaffSession.signInCookie, value: token, maxAge: 3_600, path: "/admin",
                secure: StaffSession.overTLS(request), httpOnly: true, sameSite: .strict))
        return response
    }

    func signIn(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let form = try await Form.read(request) else {
            return signInPage(
                request,
                problem: Problem(
                    status: .badRequest, code: "admin.form_unreadable", detail: "The form could not be read."))
        }
        let email = form["email"] ?? ""
        guard let expected = request.cookies[StaffSession.signInCookie]?.value, let submitted = form["csrf"],
            StaffSession.constantTimeEqual(Array(expected.utf8), Array(submitted.utf8))
        else {
            return signInPage(
                request, email: email,
                problem: Problem(
                    status: .forbidden, code: "admin.csrf", title: "Form refused",
                    detail: "The sign-in form was not this browser's. Try again."))
        }
        let caller = StaffAPI.Caller(token: nil, remoteAddress: context.remoteAddress)
        do {
            let token = try await api.post(
                "/auth/token", ["email": email, "password": form["password"] ?? ""], as: caller)
            guard let accessToken = token["accessToken"].string else {
                throw Problem(status: .badGateway, code: "upstream.failed", detail: "No token came back.")
            }
            let account = try await api.get(
                "/customers/me", as: StaffAPI.Caller(token: accessToken, remoteAddress: context.remoteAddress))
            guard ["staff", "admin"].contains(account["role"].text) else {
                return signInPage(
                    request, email: email,
                    problem: Problem(
                        status: .forbidden, code: "admin.customers_not_admitted", title: "Staff only",
                        detail: "Customers cannot sign in to the back office. Use the shop instead."))
            }
            let secure = StaffSession.overTLS(request)
            return Pages.redirect(
                "/admin/orders",
                cookies: [
                    StaffSession.cookie(
                        token: accessToken, maxAge: max(60, token["expiresIn"].int ?? 900), secure: secure),
                    StaffSession.expired(StaffSession.signInCookie, secure: secure),
                ])
        } catch let problem as Problem {
            return signInPage(request, email: email, problem: problem)
        }
    }

    func signOut(_ request: Request) async throws -> Response {
        let form = try await Form.read(request) ?? [:]
        let secure = StaffSession.overTLS(request)
        // Only the session's own form signs out (a cross-site form cannot end a session either).
        if let session = StaffSession(request: request), !session.accepts(csrf: form["csrf"]) {
            return Pages.redirect("/admin/orders")
        }
        return Pages.redirect("/admin/sign-in", cookies: [StaffSession.expired(StaffSession.cookie, secure: secure)])
    }
}
