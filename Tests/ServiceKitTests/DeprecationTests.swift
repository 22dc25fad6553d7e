import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing

/// A deprecated operation says so on every answer (docs/VERSIONING.md): `Deprecation: true`, its
/// `Sunset` date (RFC 8594) and a `Link` to its successor, from the contract alone.
@Suite("Deprecated operations announce their sunset")
struct DeprecationTests {
    static let contract = """
        openapi: "3.1.0"
        info: { title: test, version: "1" }
        servers: [{ url: /api/v1 }]
        paths:
          /old-things:
            get:
              operationId: listOldThings
              deprecated: true
              x-sunset: 2027-06-30
              x-replaced-by: /api/v1/things
              responses: { "200": { description: ok } }
          /things:
            get:
              operationId: listThings
              responses: { "200": { description: ok } }
        """

    static func header(_ response: TestResponse, _ name: String) -> String? {
        response.headers.first { $0.name.canonicalName == name.lowercased() }?.value
    }

    @Test func theHeadersComeFromTheContract() async throws {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestValidationMiddleware(contracts: [try OpenAPIContract(yaml: Self.contract)]))
        router.get("/api/v1/old-things") { _, _ in "[]" }
        router.get("/api/v1/things") { _, _ in "[]" }
        try await Application(router: router).test(.router) { client in
            let old = try await client.execute(uri: "/api/v1/old-things", method: .get)
            #expect(old.status == .ok)
            #expect(Self.header(old, "Deprecation") == "true")
            #expect(Self.header(old, "Sunset") == "Wed, 30 Jun 2027 00:00:00 GMT")
            #expect(Self.header(old, "Link") == #"</api/v1/things>; rel="successor-version""#)
            let current = try await client.execute(uri: "/api/v1/things", method: .get)
            #expect(current.status == .ok)
            #expect(Self.header(current, "Deprecation") == nil)
        }
    }
}
