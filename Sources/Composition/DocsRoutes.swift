import GraphQLGateway
import Hummingbird
import ServiceKit
import Synchronization

/// `/openapi/{service}.yaml` (each service's contract) and `/docs`, the reference rendered from them and
/// the GraphQL schemas (``APIReference``).
enum DocsRoutes {
    static func add(
        to router: Router<AppRequestContext>, documents: [String: String],
        graphQL: [APIReference.GraphQLSchema] = []
    ) {
        router.get("/openapi/:file") { _, context in
            let file = context.parameters.get("file") ?? ""
            guard file.hasSuffix(".yaml"), let document = documents[String(file.dropLast(5))] else {
                throw Problem.notFound("docs.not_found", "No OpenAPI document \(file); see /docs.")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: document))
            )
        }
        // Rendered at the first request, once, from the contracts this binary was built with.
        let rendered = RenderedOnce {
            ByteBuffer(
                string: APIReference.html(
                    contracts: documents.sorted { $0.key < $1.key }.map {
                        APIReference.Contract(name: $0.key, yaml: $0.value)
                    },
                    graphQL: graphQL))
        }
        router.get("/docs") { _, _ in
            // Self-contained: its own inline style, nothing loaded from anywhere.
            Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8",
                    .contentSecurityPolicy: ContentSafetyMiddleware<AppRequestContext>.printablePagePolicy,
                ],
                body: ResponseBody(byteBuffer: rendered.value))
        }
    }
}

/// Every service's OpenAPI document by service name, and the contracts compiled from them.
enum Documents {
    /// The GraphQL schemas a gateway answers, printed.
    static var graphQL: [APIReference.GraphQLSchema] {
        [
            .init(title: "GraphQL", path: "/graphql", sdl: SprocketSchema.printed),
            .init(title: "GraphQL (legacy schema)", path: "/graphql/legacy", sdl: LegacySchema.printed),
        ]
    }

    static var all: [String: String] {
        Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0.rawValue, $0.module.openAPIDocument) })
    }

    static func contracts(_ names: [ServiceName]) throws -> [OpenAPIContract] {
        try names.map { try OpenAPIContract(yaml: $0.module.openAPIDocument) }
    }

    /// Every service's compiled contract, in `ServiceName` order (for the gateway's routing).
    static func contracts() throws -> [(service: String, contract: OpenAPIContract)] {
        try ServiceName.allCases.map { ($0.rawValue, try OpenAPIContract(yaml: $0.module.openAPIDocument)) }
    }
}

/// A value made the first time it is asked for, then kept.
final class RenderedOnce: Sendable {
    private let make: @Sendable () -> ByteBuffer
    private let made = Mutex<ByteBuffer?>(nil)

    init(_ make: @escaping @Sendable () -> ByteBuffer) { self.make = make }

    var value: ByteBuffer {
        made.withLock { made in
            if let made { return made }
            let value = make()
            made = value
            return value
        }
    }
}
