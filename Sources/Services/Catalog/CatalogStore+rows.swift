import Foundation
import SQLKit
import ServiceKit
import Storage

extension CatalogStore {
    func insert(_ part: Part, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO parts (sku, name, description, price_minor, currency, status, weight_grams, attributes,
                               search_text, created_at, updated_at, version, category_id)
            VALUES (\(bind: part.sku), \(bind: part.name), \(bind: part.description), \(bind: part.price.minorUnits),
                    \(bind: part.price.currency), \(bind: part.status.rawValue), \(bind: part.weightGrams),
                    \(bind: try Self.json(part.attributes)), \(bind: Self.searchText(part)),
                    \(bind: part.createdAt.microsecondsSince1970), \(bind: part.updatedAt.microsecondsSince1970),
                    \(bind: part.version), \(bind: part.categoryId))
            """
        ).run()
        try await insertComponents(of: part, in: db)
    }

    func save(_ part: Part, replacing current: Part, in db: any SQLDatabase) async throws {
        let updated = try await db.raw(
            """
            UPDATE parts SET name = \(bind: part.name), description = \(bind: part.description),
                price_minor = \(bind: part.price.minorUnits), currency = \(bind: part.price.currency),
                status = \(bind: part.status.rawValue), weight_grams = \(bind: part.weightGrams),
                attributes = \(bind: try Self.json(part.attributes)), search_text = \(bind: Self.searchText(part)),
                updated_at = \(bind: part.updatedAt.microsecondsSince1970), version = \(bind: part.version),
                category_id = \(bind: part.categoryId)
            WHERE sku = \(bind: part.sku) AND version = \(bind: current.version)
            RETURNING sku
            """
        ).first()
        guard updated != nil else {
            throw Problem.conflict(
                "catalog.concurrent_update", "The part changed at the same time; read it and try again.")
        }
        if part.components != current.components {
            try await db.raw("DELETE FROM part_components WHERE bundle_sku = \(bind: part.sku)").run()
            try await insertComponents(of: part, in: db)
        }
    }

    func insertComponents(of part: Part, in db: any SQLDatabase) async throws {
        for (position, line) in part.components.enumerated() {
            try await db.raw(
                """
                INSERT INTO part_components (bundle_sku, component_sku, quantity, position)
                VALUES (\(bind: part.sku), \(bind: line.sku), \(bind: line.quantity), \(bind: position))
                """
            ).run()
        }
    }

    func fetch(_ sku: String, in db: any SQLDatabase) async throws -> Part? {
        guard let row = try await db.raw("SELECT * FROM parts WHERE sku = \(bind: sku)").first() else { return nil }
        let components = try await loadComponents(of: [sku], in: db)
        return try Self.part(from: row, components: components[sku] ?? [])
    }

    /// Components of each of `skus`, in recipe order.
    func loadComponents(of skus: [String], in db: any SQLDatabase) async throws -> [String: [ComponentLine]] {
        guard !skus.isEmpty else { return [:] }
        let rows = try await db.raw(
            """
            SELECT bundle_sku, component_sku, quantity FROM part_components
            WHERE bundle_sku IN (\(binds: skus)) ORDER BY bundle_sku, position
            """
        ).all()
        var result: [String: [ComponentLine]] = [:]
        for row in rows {
            let bundle = try row.decode(column: "bundle_sku", as: String.self)
            result[bundle, default: []].append(
                ComponentLine(
                    sku: try row.decode(column: "component_sku", as: String.self),
                    quantity: try row.decode(column: "quantity", as: Int.self)
                )
            )
        }
        return result
    }

    /// Every part reachable from `skus` through components (breadth first, bounded by the nesting limit).
    func loadGraph(from skus: [String], in db: any SQLDatabase) async throws -> [String: PartNode] {
        var graph: [String: PartNode] = [:]
        var frontier = Array(Set(skus))
        var level = 0
        while !frontier.isEmpty, level <= BundleRules.maxDepth + 1 {
            let rows = try await db.raw("SELECT sku, name, status FROM parts WHERE sku IN (\(binds: frontier))").all()
            let components = try await loadComponents(of: frontier, in: db)
            var next: Set<String> = []
            for row in rows {
                let sku = try row.decode(column: "sku", as: String.self)
                let node = PartNode(
                    sku: sku, name: try row.decode(column: "name", as: String.self),
                    status: try row.decode(enum: "status", as: PartStatus.self),
                    components: components[sku] ?? []
                )
                graph[sku] = node
                next.formUnion(node.components.map(\.sku).filter { graph[$0] == nil })
            }
            frontier = Array(next)
            level += 1
        }
        return graph
    }

    static func part(from row: any SQLRow, components: [ComponentLine]) throws -> Part {
        let attributesText = try row.decode(column: "attributes", as: String.self)
        let attributes =
            attributesText == "{}"
            ? [:] : try JSONDecoder().decode([String: String].self, from: Data(attributesText.utf8))
        return Part(
            sku: try row.decode(column: "sku", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String.self),
            price: Money(
                minorUnits: try row.decode(column: "price_minor", as: Int64.self),
                currency: try row.decode(column: "currency", as: String.self)
            ),
            status: try row.decode(enum: "status", as: PartStatus.self),
            weightGrams: try row.decode(column: "weight_grams", as: Int?.self),
            attributes: attributes,
            components: components,
            createdAt: Date(microsecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(microsecondsSince1970: try row.decode(column: "updated_at", as: Int64.self)),
            version: try row.decode(column: "version", as: Int.self),
            categoryId: try row.decode(column: "category_id", as: String?.self)
        )
    }

    static func json(_ attributes: [String: String]) throws -> String {
        guard !attributes.isEmpty else { return "{}" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(attributes), as: UTF8.self)
    }

    /// What part search matches words against: the distinct words of SKU, name and description, lowercased
    /// (a name is often repeated in its description; each word once keeps the trigram index small). A
    /// searched word holds no whitespace, so it is found here exactly when it is in the three fields.
    static func searchText(_ part: Part) -> String {
        let text = "\(part.sku) \(part.name) \(part.description)".lowercased()
        let bytes = Array(text.utf8)
        // The usual catalog is ASCII: its words are split and compared as bytes.
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return distinctWords(text) }
        var words: [ArraySlice<UInt8>] = []
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        // A part has a dozen words or so: comparing each with those kept is cheaper than hashing.
        for word in bytes.split(whereSeparator: { $0 == 0x20 || (0x09...0x0D).contains($0) })
        where !words.contains(where: { $0.elementsEqual(word) }) {
            if !words.isEmpty { result.append(0x20) }
            result += word
            words.append(word)
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// ``searchText(_:)`` for text beyond ASCII: split at any Unicode whitespace.
    private static func distinctWords(_ text: String) -> String {
        var words: [String] = []
        for scalars in text.unicodeScalars.split(whereSeparator: Self.isWhitespace) {
            let word = String(String.UnicodeScalarView(scalars))
            if !words.contains(word) { words.append(word) }
        }
        return words.joined(separator: " ")
    }

    /// Unicode whitespace, with the ASCII answer first (the scalar property lookup was a tenth of an import).
    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x80 ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace
    }
}
