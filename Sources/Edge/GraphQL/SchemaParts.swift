import GraphQL
import ServiceKit

/// Building blocks of the schema: scalars, money, paging, and fields that resolve with the request's
/// ``Resolution``.
enum SchemaParts {
    typealias Resolve =
        @Sendable (_ source: any Sendable, _ args: Map, _ resolution: Resolution) async throws -> (
            any Sendable
        )?

    /// A field resolved by `resolve` (the others read the member of the same name).
    static func field(
        _ type: any GraphQLOutputType, _ description: String? = nil, args: GraphQLArgumentConfigMap = [:],
        _ resolve: @escaping Resolve
    ) -> GraphQLField {
        GraphQLField(
            type: type, description: description, args: args,
            resolve: { source, args, context, _ in
                guard let resolution = context as? Resolution else { throw Problem.internalError }
                return try await resolve(source, args, resolution)
            })
    }

    /// A field read from the member of the same name.
    static func member(_ type: any GraphQLOutputType, _ description: String? = nil) -> GraphQLField {
        GraphQLField(type: type, description: description)
    }

    static func required(_ type: any GraphQLNullableType) -> GraphQLNonNull { GraphQLNonNull(type) }

    static func list(_ type: any GraphQLNullableType) -> GraphQLNonNull {
        GraphQLNonNull(GraphQLList(GraphQLNonNull(type)))
    }

    /// RFC 3339 date-times, as the REST API writes them.
    static let dateTime = built {
        try GraphQLScalarType(
            name: "DateTime", description: "An RFC 3339 date-time in UTC, e.g. 2026-11-30T09:15:00Z.",
            serialize: { value in
                guard let map = value as? Map, case .string = map else {
                    throw GraphQLError(message: "DateTime cannot represent \(value)")
                }
                return map
            })
    }

    static let money = built {
        try GraphQLObjectType(
            name: "Money", description: "An amount in a currency: a decimal string with the currency's digits.",
            fields: [
                "amount": member(required(GraphQLString), "Decimal, e.g. \"139.00\"."),
                "currency": member(required(GraphQLString), "ISO 4217, e.g. EUR."),
            ])
    }

    /// A postal address, as the REST APIs write it.
    static let address = built {
        try GraphQLObjectType(
            name: "Address",
            fields: [
                "firstName": member(required(GraphQLString)), "lastName": member(required(GraphQLString)),
                "company": member(GraphQLString), "email": member(GraphQLString), "phone": member(GraphQLString),
                "line1": member(required(GraphQLString)), "line2": member(GraphQLString),
                "line3": member(GraphQLString), "city": member(required(GraphQLString)),
                "region": member(GraphQLString), "postalCode": member(required(GraphQLString)),
                "country": member(required(GraphQLString), "ISO 3166-1 alpha-2."),
            ])
    }

    static let pageInfo = built {
        try GraphQLObjectType(
            name: "PageInfo",
            fields: [
                "hasNextPage": member(required(GraphQLBoolean)),
                "endCursor": member(GraphQLString, "Pass as `after` for the next page."),
            ])
    }

    /// The arguments of a connection field.
    static let pageArguments: GraphQLArgumentConfigMap = [
        "first": GraphQLArgument(
            type: GraphQLInt,
            description: "Items per page: 1 to \(QueryLimits.maxPage), \(QueryLimits.defaultPage) when absent."),
        "after": GraphQLArgument(type: GraphQLString, description: "The `endCursor` of the page before."),
    ]

    /// ``pageArguments`` followed by `more`, in the order written (the printed schema keeps it).
    static func paged(_ more: GraphQLArgumentConfigMap) -> GraphQLArgumentConfigMap {
        var arguments = pageArguments
        for (name, argument) in more { arguments[name] = argument }
        return arguments
    }

    /// `NodeConnection` and `NodeEdge` types for `node`.
    static func connection(of node: GraphQLObjectType) throws -> GraphQLObjectType {
        let edge = try GraphQLObjectType(
            name: "\(node.name)Edge",
            fields: [
                "node": member(required(node)),
                "cursor": member(
                    GraphQLString,
                    "Where a page after this item starts; null where only `pageInfo.endCursor` can continue."),
            ])
        return try GraphQLObjectType(
            name: "\(node.name)Connection",
            fields: ["edges": member(list(edge)), "pageInfo": member(required(pageInfo))])
    }

    /// A connection value from a REST page (`items`, `nextCursor`); `cursor` gives an item's own cursor.
    static func connection(_ page: JSONNode, cursor: (JSONNode) -> String?) -> [String: any Sendable] {
        var items: [JSONNode] = []
        if case .array(let values)? = page.members["items"] {
            for case .dictionary(let members) in values { items.append(JSONNode(members: members)) }
        }
        let next = page.string("nextCursor")
        let edges: [(any Sendable)?] = items.enumerated().map { index, item in
            let own = index == items.count - 1 ? (next ?? cursor(item)) : cursor(item)
            return ["node": item, "cursor": own.map(Map.string) ?? Map.null] as [String: any Sendable]
        }
        let info: [String: any Sendable] = [
            "hasNextPage": Map.bool(next != nil), "endCursor": next.map(Map.string) ?? Map.null,
        ]
        return ["edges": edges, "pageInfo": info]
    }

    /// `first` validated: 1 to ``QueryLimits/maxPage``; a GraphQL error with code `validation.failed`
    /// otherwise.
    static func first(_ args: Map) throws -> Int {
        guard let first = args["first"].int else { return QueryLimits.defaultPage }
        guard (1...QueryLimits.maxPage).contains(first) else {
            throw Problem.validation([FieldError(field: "first", message: "must be 1 to \(QueryLimits.maxPage)")])
        }
        return first
    }

    /// An enum whose values are spelled as in the REST API.
    static func enumeration(_ name: String, _ values: [String], _ description: String? = nil) -> GraphQLEnumType {
        built {
            try GraphQLEnumType(
                name: name, description: description,
                values: GraphQLEnumValueMap(
                    values.map { ($0, GraphQLEnumValue(value: .string($0))) }, uniquingKeysWith: { first, _ in first }))
        }
    }

    /// A part of the schema, which is built once when the process starts: a definition that does not build
    /// is a programming error, found by every test.
    static func built<Part>(_ build: () throws -> Part) -> Part {
        do { return try build() } catch { fatalError("The GraphQL schema does not build: \(error)") }
    }
}

extension Map {
    /// The text of a string value, `nil` otherwise.
    var text: String? { if case .string(let value) = self { value } else { nil } }
}
