import Catalog
import Customers
import Hummingbird
import Orders
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

/// Every service's OpenAPI document by service name.
enum Documents {
    static let all: [String: String] = [
        CatalogService.name: CatalogService.openAPIDocument,
        CustomersService.name: CustomersService.openAPIDocument,
        OrdersService.name: OrdersService.openAPIDocument,
    ]
}
