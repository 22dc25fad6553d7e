import Hummingbird
import ServiceKit

/// `/openapi/{service}.yaml` (each service's contract) and `/docs`, a page linking them.
enum DocsRoutes {
    static func add(to router: Router<AppRequestContext>, documents: [String: String]) {
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
        router.get("/docs") { _, _ in
            let items = documents.keys.sorted().map { name in
                "<li><a href=\"/openapi/\(name).yaml\">\(name)</a> — <code>/openapi/\(name).yaml</code></li>"
            }.joined(separator: "\n")
            let html = """
                <!doctype html><html><head><meta charset="utf-8"><title>Sprocket API</title></head>
                <body><h1>Sprocket API</h1><p>Every service's OpenAPI 3.1 contract. The API lives under <code>/api/v1</code>;
                errors are RFC 9457 problems.</p><ul>\(items)</ul></body></html>
                """
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: html))
            )
        }
    }
}

/// Every service's OpenAPI document by service name, and the contracts compiled from them.
enum Documents {
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
