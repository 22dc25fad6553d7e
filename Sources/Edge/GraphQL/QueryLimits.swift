import Foundation
import GraphQL
import ServiceKit

/// What one GraphQL request may ask for: a bounded text, nesting and cost, so that no query is a
/// denial of service. Checked on the parsed document before anything is executed.
public struct QueryLimits: Sendable {
    /// Bytes of query text.
    public var maxQueryBytes = 16 * 1024
    /// Selection sets inside one another (fragments expanded).
    public var maxDepth = 10
    /// Fields the query may resolve at most: each field costs one, times the page sizes (`first`) of
    /// the connections above it.
    public var maxCost = 20_000
    /// Calls to the services one request may make: estimated from the query before it runs (a field
    /// that calls a service costs one call per item of the lists above it, a batched lookup one call
    /// per hundred; aliases count as fields), and counted again while it runs.
    public var maxCalls = 100
    /// Calls to the services one request has under way at once (the rest wait their turn), so that one
    /// query's many fields do not queue in front of everyone else's requests at a service.
    public var maxConcurrentCalls = 4
    /// Calls to the services one client (address; an IPv6 /64 counts as one) may make per second, on
    /// average, and at most at once.
    public var callsPerSecond = 50
    public var callBurst = 100
    /// Operations executing at once in the process: all cores but one, so that a flood of costly
    /// queries leaves a core to everything else. More wait, up to ``maxWaitingOperations`` (then 503).
    public var maxConcurrentOperations = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    public var maxWaitingOperations = 200
    /// Operations one client (address) has running or waiting at once (then 429).
    public var maxOperationsPerClient = 8
    /// Subscriptions open at once: per account (or per address without one), and in the process.
    public var maxSubscriptionsPerAccount = 64
    public var maxSubscriptions = 2_000
    /// Bytes of a `POST /graphql` body (the query, its variables and its operation name).
    public var maxBodyBytes = 64 * 1024
    /// The largest page (`first`) of a connection.
    public static let maxPage = 100
    /// The page of a connection without `first`.
    public static let defaultPage = 20
    /// Fields that answer a connection (paged with `first`/`after`).
    static let connections: Set<String> = ["parts", "products", "models", "orders", "users", "fitments"]
    /// Fields that call a service once for each item above them (besides the root fields, which all do).
    static let callingFields: Set<String> = [
        "packingSlips", "shipments", "invoices", "history", "models", "parts", "orders",
    ]
    /// Fields looked up in batches of up to a hundred (``Resolution/maxBatch``) per request.
    static let batchedFields: Set<String> = ["part", "product", "availability"]
    /// Lists that are not paged, with the items they usually hold.
    static let listSizes = ["lines": 20, "components": 10, "history": 10, "categories": 100, "attributes": 10]

    public init() {}

    /// Throws a ``Problem`` (code `graphql.query_too_large`, `…too_deep`, `…too_costly`,
    /// `graphql.too_many_calls`) when `document` is over a limit; `variables` give the values of `first`
    /// passed as variables. Returns the calls to the services its costliest operation may make.
    @discardableResult
    public func check(_ document: Document, variables: [String: Map]) throws -> Int {
        var calls = 0
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions {
            fragments[fragment.name.value] = fragment
        }
        for case let operation as OperationDefinition in document.definitions {
            var walk = Walk(fragments: fragments, variables: variables)
            try walk.visit(operation.selectionSet, depth: 1, multiplier: 1)
            guard walk.deepest <= maxDepth else {
                throw Self.problem(
                    "graphql.query_too_deep", "The query nests \(walk.deepest) levels; at most \(maxDepth) are allowed."
                )
            }
            guard walk.cost <= maxCost else {
                throw Self.problem(
                    "graphql.query_too_costly",
                    "The query could resolve up to \(walk.cost) fields; at most \(maxCost) are allowed. Ask for smaller pages (first) or fewer nested lists."
                )
            }
            guard walk.calls <= maxCalls else {
                throw Self.problem(
                    "graphql.too_many_calls",
                    "The query could call the services \(walk.calls) times; at most \(maxCalls) are allowed. Ask for fewer fields, aliases or smaller pages."
                )
            }
            calls = max(calls, walk.calls)
        }
        return calls
    }

    /// The deepest nesting of brackets (`{`, `(`, `[`) in a query's text, outside strings and comments.
    /// Checked before the text is parsed: the parser recurses once per level, and thousands of levels
    /// would overflow its stack.
    public static func nesting(of text: String) -> Int {
        let bytes = Array(text.utf8)
        var depth = 0
        var deepest = 0
        var index = 0
        func starts(_ marker: [UInt8], at position: Int) -> Bool {
            position + marker.count <= bytes.count && Array(bytes[position..<position + marker.count]) == marker
        }
        let blockQuote = [UInt8](repeating: UInt8(ascii: "\""), count: 3)
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "#"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "\""):
                if starts(blockQuote, at: index) {
                    index += 3
                    while index < bytes.count, !starts(blockQuote, at: index) {
                        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    index += 2
                } else {
                    index += 1
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\n") {
                        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                }
            case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "]"):
                depth -= 1
            default:
                break
            }
            index += 1
        }
        return deepest
    }

    /// Brackets a query's text may nest before it is parsed (well above what ``maxDepth`` allows).
    public static let maxTextNesting = 64

    static func problem(_ code: String, _ detail: String) -> Problem {
        Problem(status: .badRequest, code: code, title: "Query over the limits", detail: detail)
    }

    /// Depth and cost of one operation, fragments expanded (a fragment that spreads itself is cut).
    private struct Walk {
        let fragments: [String: FragmentDefinition]
        let variables: [String: Map]
        var deepest = 0
        var cost = 0
        var calls = 0
        var expanding: Set<String> = []

        mutating func visit(_ set: SelectionSet, depth: Int, multiplier: Int) throws {
            deepest = max(deepest, depth)
            guard depth <= 64, cost <= 1_000_000 else { return }  // over the limits already: stop walking
            for selection in set.selections {
                switch selection {
                case let field as Field:
                    cost += multiplier
                    let name = field.name.value
                    if QueryLimits.batchedFields.contains(name) {
                        calls += (multiplier + Resolution.maxBatch - 1) / Resolution.maxBatch
                    } else if depth == 1 || QueryLimits.callingFields.contains(name) {
                        calls += name.hasPrefix("__") ? 0 : multiplier
                    }
                    if let children = field.selectionSet {
                        let page = pageSize(of: field)
                        try visit(children, depth: depth + 1, multiplier: min(multiplier, 10_000_000) * page)
                    }
                case let spread as FragmentSpread:
                    let name = spread.name.value
                    guard let fragment = fragments[name], !expanding.contains(name) else { continue }
                    expanding.insert(name)
                    try visit(fragment.selectionSet, depth: depth, multiplier: multiplier)
                    expanding.remove(name)
                case let inline as InlineFragment:
                    try visit(inline.selectionSet, depth: depth, multiplier: multiplier)
                default:
                    continue
                }
            }
        }

        /// How many items a field stands for: `first` of a connection (literal or variable; the default
        /// page when absent), an estimate for a plain list, 1 for anything else.
        func pageSize(of field: Field) -> Int {
            let name = field.name.value
            guard let first = field.arguments.first(where: { $0.name.value == "first" }) else {
                if QueryLimits.connections.contains(name) { return QueryLimits.defaultPage }
                return QueryLimits.listSizes[name] ?? 1
            }
            switch first.value {
            case let literal as IntValue:
                return max(1, min(Int(literal.value) ?? QueryLimits.maxPage, QueryLimits.maxPage))
            case let variable as Variable:
                if case .number(let number) = variables[variable.name.value] ?? .null {
                    return max(1, min(number.intValue, QueryLimits.maxPage))
                }
                return QueryLimits.defaultPage
            default: return QueryLimits.defaultPage
            }
        }
    }
}
