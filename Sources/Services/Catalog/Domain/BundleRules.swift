import ServiceKit

/// What the bundle rules need to know of a part: its name, status and components.
public struct PartNode: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var status: PartStatus
    public var components: [ComponentLine]

    public init(sku: String, name: String, status: PartStatus, components: [ComponentLine]) {
        self.sku = sku
        self.name = name
        self.status = status
        self.components = components
    }

    public var kind: PartKind { components.isEmpty ? .part : .bundle }
}

/// The rules a bundle's recipe must keep, decided over the part graph (pure; the store loads the graph).
///
/// Every walk is linear in the graph's size: shared sub-kits are visited once (memoised), never once
/// per path, and every multiplied quantity is overflow-checked.
public enum BundleRules {
    /// How deep bundles may nest.
    public static let maxDepth = 8
    /// How many nodes a bundle's component tree may have when expanded for people.
    public static let maxTreeNodes = 10_000
    /// How many units of one plain part one unit of a bundle may consist of.
    public static let maxLeafQuantity = 1_000_000

    /// Checks that every component of `sku` exists, is active and appears once, that no path of
    /// components leads back to `sku`, that nesting stays within ``maxDepth`` and that the expanded
    /// bundle stays within ``maxTreeNodes`` and ``maxLeafQuantity``. `graph` holds every part
    /// reachable from the components. These depend on the catalog's current data, not on the request's
    /// shape: a refusal is 409 `catalog.invalid_bundle` with field errors.
    public static func check(sku: String, components: [ComponentLine], graph: [String: PartNode]) throws(Problem) {
        var validator = Validator()
        var depths: [String: Int] = [:]
        var seen: Set<String> = []
        for (index, component) in components.enumerated() {
            guard seen.insert(component.sku).inserted else {
                validator.fail("components.\(index).sku", "\(component.sku) appears more than once")
                continue
            }
            guard component.sku != sku else {
                validator.fail("components.\(index).sku", "a bundle cannot contain itself")
                continue
            }
            guard let node = graph[component.sku] else {
                validator.fail("components.\(index).sku", "no part \(component.sku) exists")
                continue
            }
            validator.check(node.status == .active, "components.\(index).sku", "\(component.sku) is discontinued")
            if let path = pathBack(to: sku, from: node.sku, graph: graph) {
                validator.fail(
                    "components.\(index).sku", "would make a cycle: \(([sku] + path).joined(separator: " > "))")
            } else if depth(of: node.sku, graph: graph, memo: &depths) >= maxDepth {
                validator.fail("components.\(index).sku", "bundles may nest at most \(maxDepth) levels")
            }
        }
        if !validator.errors.isEmpty {
            throw Problem(
                status: .conflict, code: "catalog.invalid_bundle", title: "Invalid bundle",
                detail: "The components do not make a valid bundle with the catalog as it is.",
                errors: validator.errors)
        }
        // The graph is not copied with the new recipe in it: an import checks thousands of kits against
        // one graph of a batch, and a copy per kit made that quadratic.
        _ = try ComponentTree.size(
            of: sku, graph: graph,
            replacing: PartNode(
                sku: sku, name: graph[sku]?.name ?? sku, status: graph[sku]?.status ?? .active, components: components))
    }

    /// A path of components from `start` to `target` (both included), or `nil`; each part is visited once.
    static func pathBack(to target: String, from start: String, graph: [String: PartNode]) -> [String]? {
        var visited: Set<String> = []
        func search(_ current: String, _ trail: [String]) -> [String]? {
            let trail = trail + [current]
            if current == target { return trail }
            guard visited.insert(current).inserted, let node = graph[current] else { return nil }
            for component in node.components {
                if let path = search(component.sku, trail) { return path }
            }
            return nil
        }
        return search(start, [])
    }

    /// Levels of nesting below `sku` (0 for a plain part), memoised in `memo`; capped above ``maxDepth``.
    static func depth(of sku: String, graph: [String: PartNode], memo: inout [String: Int], level: Int = 0) -> Int {
        if let known = memo[sku] { return known }
        guard level <= maxDepth, let node = graph[sku], !node.components.isEmpty else { return 0 }
        var deepest = 0
        for component in node.components {
            deepest = max(deepest, depth(of: component.sku, graph: graph, memo: &memo, level: level + 1))
        }
        memo[sku] = deepest + 1
        return deepest + 1
    }
}

/// A bundle expanded to its leaves: the tree for people, the totals for machines.
public struct ComponentTree: Sendable, Equatable {
    public struct Node: Sendable, Equatable {
        public var part: PartNode
        public var quantity: Int
        public var children: [Node]
    }

    public var root: Node
    /// Plain parts that one unit of the root consists of, with total quantities, sorted by SKU.
    public var leaves: [ComponentLine]

    /// What expanding a part produces: its tree's node count and its leaf totals.
    struct Size {
        var nodes: Int
        var leaves: [String: Int]
    }

    /// Expands `sku` through `graph`, multiplying quantities down each path; `nil` for an unknown part,
    /// 409 `catalog.bundle_too_large` when the expansion exceeds ``BundleRules`` limits.
    public static func expand(_ sku: String, graph: [String: PartNode]) throws(Problem) -> ComponentTree? {
        guard let root = graph[sku] else { return nil }
        let size = try size(of: sku, graph: graph)
        func node(_ part: PartNode, quantity: Int, depth: Int) -> Node {
            guard !part.components.isEmpty, depth <= BundleRules.maxDepth else {
                return Node(part: part, quantity: quantity, children: [])
            }
            let children = part.components.compactMap { line -> Node? in
                graph[line.sku].map { node($0, quantity: line.quantity, depth: depth + 1) }
            }
            return Node(part: part, quantity: quantity, children: children)
        }
        let leaves = size.leaves.map { ComponentLine(sku: $0.key, quantity: $0.value) }.sorted { $0.sku < $1.sku }
        return ComponentTree(root: node(root, quantity: 1, depth: 0), leaves: leaves)
    }

    /// The node count and leaf totals of `sku`'s tree, each part computed once; throws 409 as soon as
    /// a count passes the limits (so nothing large is ever built, and nothing overflows). `replacing`
    /// stands in for the graph's node of the same SKU (a recipe being checked).
    static func size(of sku: String, graph: [String: PartNode], replacing: PartNode? = nil) throws(Problem) -> Size {
        func node(_ sku: String) -> PartNode? { sku == replacing?.sku ? replacing : graph[sku] }
        var memo: [String: Size] = [:]
        func tooLarge(_ detail: String) -> Problem {
            Problem(
                status: .conflict, code: "catalog.bundle_too_large", title: "Bundle too large",
                detail: detail,
                errors: [FieldError(field: "components", message: detail)])
        }
        func visit(_ sku: String, depth: Int) throws(Problem) -> Size {
            if let known = memo[sku] { return known }
            guard let part = node(sku), !part.components.isEmpty, depth <= BundleRules.maxDepth else {
                return Size(nodes: 1, leaves: [sku: 1])
            }
            var size = Size(nodes: 1, leaves: [:])
            for line in part.components where node(line.sku) != nil {
                let child = try visit(line.sku, depth: depth + 1)
                size.nodes += child.nodes
                guard size.nodes <= BundleRules.maxTreeNodes else {
                    throw tooLarge("The bundle would expand to more than \(BundleRules.maxTreeNodes) component lines.")
                }
                for (leaf, count) in child.leaves {
                    let (product, productOverflow) = count.multipliedReportingOverflow(by: line.quantity)
                    let (sum, sumOverflow) = size.leaves[leaf, default: 0].addingReportingOverflow(product)
                    guard !productOverflow, !sumOverflow, sum <= BundleRules.maxLeafQuantity else {
                        throw tooLarge(
                            "One unit of the bundle would hold more than \(BundleRules.maxLeafQuantity) of \(leaf).")
                    }
                    size.leaves[leaf] = sum
                }
            }
            memo[sku] = size
            return size
        }
        return try visit(sku, depth: 0)
    }
}
