import Foundation
import ServiceKit
import Yams

/// `/docs`: every service's OpenAPI contract and the GraphQL schemas as one self-contained HTML page
/// (no scripts, fonts or styles from elsewhere), rendered from the committed contracts when the process
/// starts: per service its operations (method, path, summary, description, parameters, request body,
/// responses, the error codes it names, an example body built from the schema) and its schemas; per
/// GraphQL schema its types and their fields, linked to each other.
public enum APIReference {
    /// An OpenAPI document to render, under `name` (its `/openapi/NAME.yaml`).
    public struct Contract: Sendable {
        public let name: String
        public let yaml: String

        public init(name: String, yaml: String) {
            self.name = name
            self.yaml = yaml
        }
    }

    /// A GraphQL schema (SDL) to render, answered at `path`.
    public struct GraphQLSchema: Sendable {
        public let title: String
        public let path: String
        public let sdl: String

        public init(title: String, path: String, sdl: String) {
            self.title = title
            self.path = path
            self.sdl = sdl
        }
    }

    /// Every operation of `contracts`, as `METHOD /api/v1/path` (what the page lists, for tests).
    public static func operations(of contract: Contract) -> [String] {
        guard let document = try? Yams.load(yaml: contract.yaml) as? [String: Any] else { return [] }
        return OpenAPIPage(name: contract.name, document: document).operations.map { "\($0.method) \($0.path)" }
    }

    public static func html(contracts: [Contract], graphQL: [GraphQLSchema]) -> String {
        let pages = contracts.compactMap { contract -> OpenAPIPage? in
            guard let document = try? Yams.load(yaml: contract.yaml) as? [String: Any] else { return nil }
            return OpenAPIPage(name: contract.name, document: document)
        }
        let schemas = graphQL.map { GraphQLPage(schema: $0) }
        var navigation = "<nav><p class=\"brand\">Sprocket \(Release.version)</p><ul>"
        for page in pages { navigation += page.navigation }
        for schema in schemas { navigation += schema.navigation }
        navigation += "</ul></nav>"
        let operations = pages.reduce(0) { $0 + $1.operations.count }
        let body = """
            <main>
            <h1>Sprocket API reference</h1>
            <p>Version \(Release.version). \(pages.count) services, \(operations) operations, under
            <code>/api/\(Release.apiVersion)</code>; GraphQL at \(schemas.map { "<code>\(HTML.escape($0.schema.path))</code>" }.joined(separator: " and ")).
            Requests and answers are JSON; a signed-in call sends <code>Authorization: Bearer &lt;token&gt;</code>
            (from <code>POST /api/v1/auth/token</code>). Errors are RFC 9457 problems
            (<code>application/problem+json</code>) with a stable <code>code</code>, listed under each operation.
            A write with an <code>Idempotency-Key</code> header is applied once however often it is sent.
            Deprecated operations answer with <code>Deprecation</code> and <code>Sunset</code> headers
            (docs/VERSIONING.md). The contracts themselves: \(pages.map { "<a href=\"/openapi/\($0.name).yaml\">\($0.name).yaml</a>" }.joined(separator: ", ")).</p>
            \(pages.map(\.html).joined(separator: "\n"))
            \(schemas.map(\.html).joined(separator: "\n"))
            </main>
            """
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sprocket API reference</title><style>\(style)</style></head>
            <body>\(navigation)\(body)</body></html>
            """
    }

    static let style = """
        body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;display:flex}
        nav{position:sticky;top:0;height:100vh;overflow:auto;width:19rem;flex:none;background:#f4f5f8;border-right:1px solid #dde1e8;padding:1rem;box-sizing:border-box;font-size:13px}
        nav ul{list-style:none;padding-left:0;margin:0}nav ul ul{padding-left:.8rem;margin-bottom:.6rem}
        nav a{color:#1d2330;text-decoration:none}nav a:hover{text-decoration:underline}
        nav .service{font-weight:600;display:block;margin-top:.5rem}.brand{font-weight:700;font-size:15px;margin-top:0}
        main{padding:1.5rem 2.5rem;max-width:64rem;min-width:0}
        h2{border-bottom:2px solid #1d2330;padding-bottom:.2rem;margin-top:2.5rem}
        article{border:1px solid #dde1e8;border-radius:6px;padding:.2rem 1rem 1rem;margin:1rem 0}
        article h3{font-size:16px;word-break:break-all}h4{margin:1rem 0 .3rem;font-size:13px;text-transform:uppercase;color:#5a6272}
        .method{display:inline-block;min-width:4.2rem;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:.1rem .3rem;margin-right:.4rem;font-family:ui-monospace,monospace}
        .get{background:#2f6fb5}.post{background:#2e8b57}.put{background:#b5812f}.patch{background:#8a5cb5}.delete{background:#b53a2f}.head,.options{background:#5a6272}
        .deprecated h3 code{text-decoration:line-through}.badge{background:#b53a2f;color:#fff;border-radius:4px;font-size:11px;padding:.05rem .35rem;margin-left:.4rem}
        table{border-collapse:collapse;width:100%;font-size:13px}td,th{border-bottom:1px solid #e6e8ee;padding:.25rem .4rem;text-align:left;vertical-align:top}
        code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}pre{background:#f4f5f8;padding:.6rem;border-radius:4px;overflow:auto}
        .muted{color:#5a6272}details{margin:.4rem 0}summary{cursor:pointer;font-family:ui-monospace,monospace}
        """
}

/// Escaping and the little Markdown the contracts' descriptions use (`code`, **bold**, paragraphs).
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }

    static func text(_ markdown: String) -> String {
        var html = ""
        var inCode = false
        for part in escape(markdown).split(separator: "`", omittingEmptySubsequences: false) {
            html += inCode ? "<code>\(part)</code>" : String(part).replacingOccurrences(of: "\n\n", with: "</p><p>")
            inCode.toggle()
        }
        return html
    }

    /// A fragment identifier made of `parts`.
    static func anchor(_ parts: String...) -> String {
        parts.joined(separator: "-").map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce(into: "") { $0.append($1) }
    }
}
