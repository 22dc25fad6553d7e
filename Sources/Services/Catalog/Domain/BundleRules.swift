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
public enum BundleRules {
    /// How deep bundles may nest.
    public static let maxDepth = 8

    /// Checks that every component of `sku` exists and is active, and that no path of components leads
    /// back to `sku` or nests deeper than ``maxDepth``. `graph` holds every part reachable from the
    /// components. Throws 422 with field errors.
    public static func check(sku: String, components: [ComponentLine], graph: [String: PartNode]) throws(Problem) {
        var validator = Validator()
        for (index, component) in components.enumerated() {
            guard let node = graph[component.sku] else {
                validator.fail("components.\(index).sku", "no part \(component.sku) exists")
                continue
            }
            validator.check(node.status == .active, "components.\(index).sku", "\(component.sku) is discontinued")
            if let path = pathBack(to: sku, from: node.sku, graph: graph, trail: [sku]) {
                validator.fail("components.\(index).sku", "would make a cycle: \(path.joined(separator: " > "))")
            } else if depth(of: node.sku, graph: graph) >= maxDepth {
                validator.fail("components.\(index).sku", "bundles may nest at most \(maxDepth) levels")
            }
        }
        try validator.throwIfInvalid()
    }

    private static func pathBack(to target: String, from current: String, graph: [String: PartNode], trail: [String])
        -> [String]?
    {
        let trail = trail + [current]
        if current == target { return trail }
        guard trail.count <= maxDepth + 2, let node = graph[current] else { return nil }
        for component in node.components {
            if let path = pathBack(to: target, from: component.sku, graph: graph, trail: trail) { return path }
        }
        return nil
    }

    private static func depth(of sku: String, graph: [String: PartNode], seen: Int = 0) -> Int {
        guard seen <= maxDepth, let node = graph[sku], !node.components.isEmpty else { return 0 }
        return 1 + (node.components.map { depth(of: $0.sku, graph: graph, seen: seen + 1) }.max() ?? 0)
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

    /// Expands `sku` through `graph`, multiplying quantities down each path.
    public static func expand(_ sku: String, graph: [String: PartNode]) -> ComponentTree? {
        guard let root = graph[sku] else { return nil }
        var totals: [String: Int] = [:]
        func node(_ part: PartNode, quantity: Int, multiplier: Int, depth: Int) -> Node {
            if part.components.isEmpty || depth > BundleRules.maxDepth {
                totals[part.sku, default: 0] += multiplier
                return Node(part: part, quantity: quantity, children: [])
            }
            let children = part.components.compactMap { line -> Node? in
                guard let child = graph[line.sku] else { return nil }
                return node(child, quantity: line.quantity, multiplier: multiplier * line.quantity, depth: depth + 1)
            }
            return Node(part: part, quantity: quantity, children: children)
        }
        let tree = node(root, quantity: 1, multiplier: 1, depth: 0)
        let leaves = totals.map { ComponentLine(sku: $0.key, quantity: $0.value) }.sorted { $0.sku < $1.sku }
        return ComponentTree(root: tree, leaves: leaves)
    }
}
