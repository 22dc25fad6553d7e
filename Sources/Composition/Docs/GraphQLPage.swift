import Foundation

/// One GraphQL schema's part of `/docs`, from its printed SDL: each definition (type, input, enum,
/// interface, union, scalar) as a section, the types its fields name linked to theirs.
struct GraphQLPage {
    struct Definition {
        let kind: String
        let name: String
        let text: String
    }

    let schema: APIReference.GraphQLSchema
    let definitions: [Definition]

    init(schema: APIReference.GraphQLSchema) {
        self.schema = schema
        var definitions: [Definition] = []
        var current: [Substring] = []
        var depth = 0
        for line in schema.sdl.split(separator: "\n", omittingEmptySubsequences: false) {
            if depth == 0, line.trimmingCharacters(in: .whitespaces).isEmpty {
                if let definition = Self.definition(current) { definitions.append(definition) }
                current = []
                continue
            }
            current.append(line)
            depth += line.filter { $0 == "{" }.count - line.filter { $0 == "}" }.count
        }
        if let definition = Self.definition(current) { definitions.append(definition) }
        self.definitions = definitions
    }

    private static let kinds: Set<String> = ["type", "input", "enum", "interface", "union", "scalar", "schema"]

    private static func definition(_ lines: [Substring]) -> Definition? {
        guard
            let head = lines.first(where: {
                kinds.contains(String($0.split(separator: " ").first ?? ""))
            })
        else { return nil }
        let words = head.split(separator: " ")
        let name =
            words.count > 1 ? String(words[1]).trimmingCharacters(in: CharacterSet(charactersIn: "{=")) : "schema"
        return Definition(kind: String(words[0]), name: name, text: lines.joined(separator: "\n"))
    }

    private var slug: String { HTML.anchor("graphql", schema.path) }

    var navigation: String {
        var html = "<li><a class=\"service\" href=\"#\(slug)\">\(HTML.escape(schema.title))</a><ul>"
        for definition in definitions
        where ["schema", "type"].contains(definition.kind) && Self.roots.contains(definition.name) {
            html += "<li><a href=\"#\(anchor(definition.name))\">\(definition.name)</a></li>"
        }
        html += "<li><a href=\"#\(slug)-types\">\(definitions.count) definitions</a></li>"
        return html + "</ul></li>"
    }

    private static let roots: Set<String> = ["Query", "Mutation", "Subscription"]

    private func anchor(_ name: String) -> String { HTML.anchor("graphql", schema.path, name) }

    var html: String {
        let names = Set(definitions.map(\.name))
        var html = "<section id=\"\(slug)\"><h2>\(HTML.escape(schema.title))</h2>"
        html +=
            "<p>Answered at <code>POST \(HTML.escape(schema.path))</code> (JSON <code>{\"query\": …, \"variables\": {…}}</code>, the same bearer token as the REST API); <code>GET \(HTML.escape(schema.path))</code> in a browser opens a query page.</p>"
        let ordered =
            definitions.filter { Self.roots.contains($0.name) } + definitions.filter { !Self.roots.contains($0.name) }
        html += "<div id=\"\(slug)-types\"></div>"
        for definition in ordered {
            html +=
                "<article id=\"\(anchor(definition.name))\"><h3><code>\(definition.kind) \(HTML.escape(definition.name))</code></h3><pre>\(linked(definition.text, names: names))</pre></article>"
        }
        return html + "</section>"
    }

    /// `text`, escaped, with every word that names a definition linked to it.
    private func linked(_ text: String, names: Set<String>) -> String {
        var html = ""
        var word = ""
        func flush() {
            if names.contains(word) {
                html += "<a href=\"#\(anchor(word))\">\(word)</a>"
            } else {
                html += HTML.escape(word)
            }
            word = ""
        }
        for character in text {
            if character.isLetter || character.isNumber || character == "_" {
                word.append(character)
            } else {
                flush()
                html += HTML.escape(String(character))
            }
        }
        flush()
        return html
    }
}
