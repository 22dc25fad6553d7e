import ServiceKit

/// Which part replaces which: pure decisions over the supersession graph (`old SKU → new SKU`).
public enum SupersessionRules {
    /// At most this many steps are followed (a chain longer than this is refused when made).
    public static let maxChain = 32

    /// Refuses `sku → newSku` when it is the part itself or would close a cycle (409
    /// `catalog.supersession_cycle`), or make a chain longer than ``maxChain`` (409
    /// `catalog.supersession_too_long`). `successors` is the graph before the change.
    public static func check(_ sku: String, supersededBy newSku: String, successors: [String: String]) throws(Problem) {
        guard sku != newSku else { throw cycle(sku, newSku) }
        var current = newSku
        var steps = 1
        while let next = successors[current] {
            guard next != sku else { throw cycle(sku, newSku) }
            current = next
            steps += 1
            guard steps <= maxChain else {
                throw Problem.conflict(
                    "catalog.supersession_too_long",
                    "Superseding \(sku) by \(newSku) makes a chain of more than \(maxChain) parts.")
            }
        }
        var back = sku
        var before = 0
        let predecessors = Dictionary(successors.map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        while let previous = predecessors[back], before <= maxChain {
            back = previous
            before += 1
        }
        guard steps + before <= maxChain else {
            throw Problem.conflict(
                "catalog.supersession_too_long",
                "Superseding \(sku) by \(newSku) makes a chain of more than \(maxChain) parts.")
        }
    }

    /// The part to sell instead of `sku`: follows `successors` to the newest part of the chain that is
    /// `active` (the chain's last part when none is); `sku` itself when nothing supersedes it.
    public static func current(of sku: String, successors: [String: String], active: Set<String>) -> String {
        var chain = [sku]
        var seen: Set<String> = [sku]
        while let next = successors[chain[chain.count - 1]], !seen.contains(next), chain.count <= maxChain + 1 {
            chain.append(next)
            seen.insert(next)
        }
        return chain.dropFirst().last(where: { active.contains($0) }) ?? chain.last ?? sku
    }

    private static func cycle(_ sku: String, _ newSku: String) -> Problem {
        .conflict(
            "catalog.supersession_cycle",
            "\(newSku) is \(sku) or is already replaced, directly or through others, by \(sku): that would be a cycle.")
    }
}
