import Foundation

/// One service's part of `/docs`, from its OpenAPI document.
struct OpenAPIPage {
    struct Operation {
        let method: String
        let path: String
        let node: [String: Any]
        let shared: [Any]
    }

    let name: String
    let document: [String: Any]
    let operations: [Operation]

    private var components: [String: Any] { document["components"] as? [String: Any] ?? [:] }
    private var schemas: [String: Any] { components["schemas"] as? [String: Any] ?? [:] }

    static let methods = ["get", "post", "put", "patch", "delete", "head", "options"]

    init(name: String, document: [String: Any]) {
        self.name = name
        self.document = document
        let base = ((document["servers"] as? [[String: Any]])?.first?["url"] as? String) ?? ""
        var operations: [Operation] = []
        for (path, node) in (document["paths"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let item = node as? [String: Any] else { continue }
            for method in Self.methods {
                guard let operation = item[method] as? [String: Any] else { continue }
                operations.append(
                    Operation(
                        method: method.uppercased(), path: base + path, node: operation,
                        shared: item["parameters"] as? [Any] ?? []))
            }
        }
        self.operations = operations
    }

    func anchor(_ operation: Operation) -> String {
        HTML.anchor("op", name, operation.node["operationId"] as? String ?? operation.method + operation.path)
    }

    var navigation: String {
        var html = "<li><a class=\"service\" href=\"#\(HTML.anchor("service", name))\">\(HTML.escape(name))</a><ul>"
        for operation in operations {
            html +=
                "<li><a href=\"#\(anchor(operation))\"><code>\(operation.method)</code> \(HTML.escape(operation.path.replacingOccurrences(of: "/api/v1", with: "")))</a></li>"
        }
        return html + "</ul></li>"
    }

    var html: String {
        let info = document["info"] as? [String: Any] ?? [:]
        var html = "<section id=\"\(HTML.anchor("service", name))\"><h2>\(HTML.escape(name))</h2>"
        html += "<p>\(HTML.text(info["description"] as? String ?? ""))</p>"
        html += "<p class=\"muted\">Contract: <a href=\"/openapi/\(name).yaml\">/openapi/\(name).yaml</a></p>"
        for operation in operations { html += article(operation) }
        if !schemas.isEmpty {
            html += "<h3>Schemas</h3>"
            for (schemaName, schema) in schemas.sorted(by: { $0.key < $1.key }) {
                html +=
                    "<details id=\"\(HTML.anchor("schema", name, schemaName))\"><summary>\(HTML.escape(schemaName))</summary>\(schemaTable(schema))</details>"
            }
        }
        return html + "</section>"
    }

    private func article(_ operation: Operation) -> String {
        let node = operation.node
        let deprecated = node["deprecated"] as? Bool == true
        var html = "<article id=\"\(anchor(operation))\"\(deprecated ? " class=\"deprecated\"" : "")>"
        html +=
            "<h3><span class=\"method \(operation.method.lowercased())\">\(operation.method)</span><code>\(HTML.escape(operation.path))</code>"
        if deprecated {
            let sunset = (node["x-sunset"] as? String) ?? (node["x-sunset"].map { "\($0)" }) ?? "announced"
            html += "<span class=\"badge\">deprecated, sunset \(HTML.escape(sunset))</span>"
        }
        html += "</h3><p><strong>\(HTML.text(node["summary"] as? String ?? ""))</strong></p>"
        if let description = node["description"] as? String { html += "<p>\(HTML.text(description))</p>" }
        let secured = !((node["security"] as? [Any]) ?? (document["security"] as? [Any]) ?? []).isEmpty
        html += "<p class=\"muted\">\(secured ? "Needs a bearer token." : "No token needed.")"
        if let id = node["operationId"] as? String { html += " Operation <code>\(HTML.escape(id))</code>." }
        html += "</p>"
        let parameters = (operation.shared + (node["parameters"] as? [Any] ?? [])).compactMap {
            resolve($0) as? [String: Any]
        }
        if !parameters.isEmpty {
            html += "<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>"
            for parameter in parameters {
                let required = parameter["required"] as? Bool == true || parameter["in"] as? String == "path"
                html +=
                    "<tr><td><code>\(HTML.escape(parameter["name"] as? String ?? ""))</code>\(required ? " (required)" : "")</td><td>\(HTML.escape(parameter["in"] as? String ?? ""))</td><td>\(type(of: parameter["schema"]))</td><td>\(HTML.text(parameter["description"] as? String ?? (resolve(parameter["schema"] as Any) as? [String: Any])?["description"] as? String ?? ""))</td></tr>"
            }
            html += "</table>"
        }
        if let body = resolve(node["requestBody"] as Any) as? [String: Any],
            let content = body["content"] as? [String: Any]
        {
            html += "<h4>Request body\(body["required"] as? Bool == true ? " (required)" : "")</h4>"
            for (media, value) in content.sorted(by: { $0.key < $1.key }) {
                let schema = (value as? [String: Any])?["schema"]
                html += "<p><code>\(HTML.escape(media))</code>: \(type(of: schema))</p>"
                if media == "application/json", let schema {
                    html += "<pre>\(HTML.escape(Self.json(example(schema, depth: 0))))</pre>"
                }
            }
        }
        html += "<h4>Responses</h4><table><tr><th>Status</th><th>Description</th><th>Body</th></tr>"
        var codes = Set(Self.problemCodes(in: node["description"] as? String ?? ""))
        for (status, value) in (node["responses"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let response = resolve(value) as? [String: Any] ?? [:]
            let description = response["description"] as? String ?? ""
            codes.formUnion(Self.problemCodes(in: description))
            let content = response["content"] as? [String: Any] ?? [:]
            let bodies = content.sorted(by: { $0.key < $1.key }).map { media, value in
                "<code>\(HTML.escape(media))</code> \(type(of: (value as? [String: Any])?["schema"]))"
            }.joined(separator: "<br>")
            html += "<tr><td>\(HTML.escape(status))</td><td>\(HTML.text(description))</td><td>\(bodies)</td></tr>"
        }
        html += "</table>"
        if !codes.isEmpty {
            html +=
                "<h4>Error codes</h4><p>\(codes.sorted().map { "<code>\(HTML.escape($0))</code>" }.joined(separator: ", "))</p>"
        }
        return html + "</article>"
    }

    /// `a.b_c` words in backticks: the problem codes a description names.
    static func problemCodes(in text: String) -> [String] {
        text.split(separator: "`").enumerated().compactMap { index, part in
            guard index % 2 == 1 else { return nil }
            let pieces = part.split(separator: ".", omittingEmptySubsequences: false)
            guard pieces.count == 2,
                pieces.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLowercase || $0 == "_" || $0.isNumber } })
            else { return nil }
            return String(part)
        }
    }

    /// The node a `$ref` names (in this document), or `node` itself.
    private func resolve(_ node: Any) -> Any? {
        guard let object = node as? [String: Any], let reference = object["$ref"] as? String else { return node }
        var target: Any = document
        for key in reference.dropFirst(2).split(separator: "/") {
            guard let next = (target as? [String: Any])?[String(key)] else { return nil }
            target = next
        }
        return target
    }

    /// A schema's type, in words, linked to the named schemas it uses.
    private func type(of node: Any?) -> String {
        guard let object = node as? [String: Any] else { return "" }
        if let reference = object["$ref"] as? String {
            let target = String(reference.split(separator: "/").last ?? "")
            return "<a href=\"#\(HTML.anchor("schema", name, target))\">\(HTML.escape(target))</a>"
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            if let choices = object[key] as? [Any] {
                return choices.map { type(of: $0) }.joined(separator: key == "allOf" ? " &amp; " : " | ")
            }
        }
        var words: String
        switch object["type"] {
        case let list as [Any]: words = list.map { "\($0)" }.joined(separator: " | ")
        case let single as String: words = single
        default: words = "any"
        }
        if words.hasPrefix("array") { words = "array of " + type(of: object["items"]) }
        if let format = object["format"] as? String { words += " (\(HTML.escape(format)))" }
        if let values = object["enum"] as? [Any] {
            words += ": " + values.map { "<code>\(HTML.escape("\($0)"))</code>" }.joined(separator: ", ")
        }
        var limits: [String] = []
        for (key, label) in [
            ("minimum", "≥"), ("maximum", "≤"), ("minLength", "length ≥"), ("maxLength", "length ≤"),
            ("minItems", "items ≥"), ("maxItems", "items ≤"),
        ] {
            if let value = object[key] { limits.append("\(label) \(value)") }
        }
        if let pattern = object["pattern"] as? String { limits.append("pattern <code>\(HTML.escape(pattern))</code>") }
        if !limits.isEmpty { words += " <span class=\"muted\">(\(limits.joined(separator: ", ")))</span>" }
        return words
    }

    private func schemaTable(_ node: Any) -> String {
        guard let schema = node as? [String: Any] else { return "" }
        var html = schema["description"].map { "<p>\(HTML.text("\($0)"))</p>" } ?? ""
        guard let properties = schema["properties"] as? [String: Any] else {
            return html + "<p>\(type(of: schema))</p>"
        }
        let required = Set(schema["required"] as? [String] ?? [])
        html += "<table><tr><th>Field</th><th>Type</th><th>Description</th></tr>"
        for (field, value) in properties.sorted(by: { $0.key < $1.key }) {
            let description = (value as? [String: Any])?["description"] as? String ?? ""
            html +=
                "<tr><td><code>\(HTML.escape(field))</code>\(required.contains(field) ? " (required)" : "")</td><td>\(type(of: value))</td><td>\(HTML.text(description))</td></tr>"
        }
        return html + "</table>"
    }

    /// An example value of `node`: its own example, else one made from its type.
    private func example(_ node: Any, depth: Int) -> Any {
        guard depth < 6, let object = resolve(node) as? [String: Any] else { return NSNull() }
        if let example = object["example"] { return example }
        if let values = object["enum"] as? [Any], let first = values.first { return first }
        for key in ["oneOf", "anyOf", "allOf"] {
            if let choices = object[key] as? [Any], let first = choices.first {
                return example(first, depth: depth + 1)
            }
        }
        let type = (object["type"] as? String) ?? ((object["type"] as? [Any])?.first as? String) ?? "object"
        switch type {
        case "object":
            var result: [String: Any] = [:]
            let required = Set(object["required"] as? [String] ?? [])
            for (field, value) in object["properties"] as? [String: Any] ?? [:]
            where required.contains(field) || depth == 0 {
                result[field] = example(value, depth: depth + 1)
            }
            return result
        case "array": return [example(object["items"] as Any, depth: depth + 1)]
        case "integer": return (object["minimum"] as? Int) ?? 1
        case "number": return 1.5
        case "boolean": return true
        default:
            switch object["format"] as? String {
            case "date-time": return "2026-12-07T10:00:00Z"
            case "date": return "2026-12-07"
            case "uuid": return "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b"
            case "email": return "customer@example.com"
            default: return object["pattern"] as? String == "^[A-Z]{3}$" ? "EUR" : "string"
            }
        }
    }

    static func json(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject([value]),
            let data = try? JSONSerialization.data(
                withJSONObject: value,
                options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return "\(value)" }
        return String(decoding: data, as: UTF8.self)
    }
}
