import Composition
import Foundation
import GraphQLGateway
import Hummingbird
import HummingbirdTesting
import Testing

/// `/docs`: the reference rendered from the committed contracts lists every operation of every service,
/// its parameters, schemas and error codes, and both GraphQL schemas; it loads nothing from elsewhere.
@Suite("The API reference at /docs")
struct APIReferenceTests {
    /// What the page must show for each operation of each contract: `<METHOD></span><code>PATH</code>`.
    static func missingOperations(in page: String) -> [String] {
        ServiceName.allCases.flatMap { service in
            APIReference.operations(of: .init(name: service.rawValue, yaml: service.module.openAPIDocument))
        }.filter { operation in
            let parts = operation.split(separator: " ", maxSplits: 1)
            return !page.contains(">\(parts[0])</span><code>\(parts[1])</code>")
        }
    }

    @Test func everyOperationOfEveryContractAndBothGraphQLSchemasAreRendered() async throws {
        let operations = ServiceName.allCases.reduce(0) { count, service in
            count
                + APIReference.operations(of: .init(name: service.rawValue, yaml: service.module.openAPIDocument)).count
        }
        #expect(operations >= 58)  // 58 when written, counted in the YAML files by another parser
        try await SystemHarness.with(.sqlite) { _, client in
            let response = try await client.execute(uri: "/docs", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            let page = String(buffer: response.body)
            #expect(Self.missingOperations(in: page).isEmpty, "missing: \(Self.missingOperations(in: page))")
            // Schemas, parameters, error codes and examples, rendered.
            #expect(page.contains(#"id="schema-orders-Order""#))
            #expect(page.contains("<code>order.no_default_address</code>"))
            #expect(page.contains("<h4>Parameters</h4>") && page.contains("<h4>Request body (required)</h4>"))
            // Both GraphQL schemas, their types linked.
            #expect(page.contains("<code>type Query</code>"))
            #expect(page.contains("/graphql/legacy"))
            // Self-contained: no script, no stylesheet or font from elsewhere.
            #expect(
                !page.contains("<script") && !page.contains("<link") && !page.contains("http://")
                    && !page.contains("https://"))
        }
    }
}
