import IntegrationEvents
import ServiceKit

/// A warehouse as allocation sees it.
public struct Site: Sendable, Equatable {
    public var code: String
    public var country: String
    public var region: String?

    public init(code: String, country: String, region: String?) {
        self.code = code
        self.country = country
        self.region = region
    }
}

/// Where an order is shipped to, as far as choosing a warehouse goes.
public struct Destination: Sendable, Equatable {
    public var country: String
    public var region: String?

    public init(country: String, region: String?) {
        self.country = country
        self.region = region
    }
}

/// The decision for one order: reserve these allocations, or refuse with what is missing.
public enum AllocationPlan: Sendable, Equatable {
    case reserve([StockAllocation])
    case reject([StockShortage])
}

/// Chooses the warehouses an order ships from: pure, over a snapshot of available stock.
///
/// - One warehouse that has everything wins. Among several, the one in the shipping country, then in
///   the shipping region, then the one with the most of the needed stock, then by code.
/// - Otherwise the order is split across the fewest warehouses that together have everything (among
///   equally few, the best-ranked ones), each SKU taken from the best-ranked warehouse first.
/// - All or nothing: if every warehouse together is short of a SKU, nothing is reserved and the
///   shortages are listed.
public enum Allocation {
    /// Above this many warehouses holding stock, the fewest-warehouses search becomes greedy.
    static let exhaustiveLimit = 12

    /// - Parameters:
    ///   - available: available units (on hand − reserved) per warehouse code and SKU.
    ///   - bins: the bin of each warehouse code and SKU, for the pick list.
    public static func plan(
        _ demand: [DemandLine], to destination: Destination, sites: [Site],
        available: [String: [String: Int]], bins: [String: [String: String]] = [:]
    ) throws(Problem) -> AllocationPlan {
        let needs = try demand.totals()
        let skus = needs.keys.sorted()
        var shortages: [StockShortage] = []
        for sku in skus {
            let total = sites.reduce(0) { sum, site in
                let (next, overflow) = sum.addingReportingOverflow(max(0, available[site.code]?[sku] ?? 0))
                return overflow ? Int.max : next
            }
            if let need = needs[sku], total < need {
                shortages.append(StockShortage(sku: sku, requested: need, available: total))
            }
        }
        guard shortages.isEmpty else { return .reject(shortages) }
        guard !needs.isEmpty else { return .reserve([]) }

        let ranked = rank(sites, for: needs, to: destination, available: available)
        let chosen = fewest(ranked, needs: needs, available: available)
        return .reserve(distribute(demand, over: chosen, available: available, bins: bins))
    }

    /// Best first: shipping country, shipping region, most of the needed units, code.
    static func rank(
        _ sites: [Site], for needs: [String: Int], to destination: Destination, available: [String: [String: Int]]
    ) -> [Site] {
        // Units of the needed SKUs on the shelf there (saturating: counts are bounded per row anyway).
        func useful(_ site: Site) -> Int {
            needs.keys.reduce(0) { sum, sku in
                let (next, overflow) = sum.addingReportingOverflow(max(0, available[site.code]?[sku] ?? 0))
                return overflow ? Int.max : next
            }
        }
        let scored = sites.map { site in
            (
                site: site, country: site.country == destination.country,
                region: destination.region != nil && site.country == destination.country
                    && site.region?.lowercased() == destination.region?.lowercased(),
                units: useful(site)
            )
        }
        .filter { $0.units > 0 }
        return scored.sorted { a, b in
            if a.country != b.country { return a.country }
            if a.region != b.region { return a.region }
            if a.units != b.units { return a.units > b.units }
            return a.site.code < b.site.code
        }.map(\.site)
    }

    /// The fewest ranked sites that together cover `needs`, preferring better-ranked ones.
    static func fewest(_ ranked: [Site], needs: [String: Int], available: [String: [String: Int]]) -> [Site] {
        func covers(_ sites: [Site]) -> Bool {
            needs.allSatisfy { sku, need in
                var total = 0
                for site in sites {
                    total += max(0, available[site.code]?[sku] ?? 0)
                    if total >= need { return true }
                }
                return false
            }
        }
        if ranked.count <= exhaustiveLimit {
            for size in 1...max(1, ranked.count) {
                if let found = combinations(of: ranked.count, size: size).first(where: { covers($0.map { ranked[$0] }) }
                ) {
                    return found.map { ranked[$0] }
                }
            }
            return ranked
        }
        // Greedy: keep taking the site that covers most of what is still missing.
        var missing = needs
        var chosen: [Site] = []
        var rest = ranked
        while missing.values.contains(where: { $0 > 0 }), !rest.isEmpty {
            let gains = rest.map { site in
                missing.reduce(0) { $0 + min($1.value, max(0, available[site.code]?[$1.key] ?? 0)) }
            }
            guard let best = gains.indices.max(by: { gains[$0] < gains[$1] || (gains[$0] == gains[$1] && $0 > $1) })
            else { break }
            let site = rest.remove(at: best)
            chosen.append(site)
            for (sku, need) in missing { missing[sku] = max(0, need - max(0, available[site.code]?[sku] ?? 0)) }
        }
        return chosen
    }

    /// Index sets of `size` out of `count`, in lexicographic order (so better-ranked sites come first).
    static func combinations(of count: Int, size: Int) -> [[Int]] {
        guard size > 0, size <= count else { return [] }
        var result: [[Int]] = []
        var current: [Int] = []
        func walk(_ start: Int) {
            if current.count == size {
                result.append(current)
                return
            }
            guard start < count else { return }
            for index in start..<count where count - index >= size - current.count {
                current.append(index)
                walk(index + 1)
                current.removeLast()
            }
        }
        walk(0)
        return result
    }

    /// Takes each demand line from the chosen sites in rank order; merges equal lines.
    static func distribute(
        _ demand: [DemandLine], over sites: [Site], available: [String: [String: Int]],
        bins: [String: [String: String]]
    ) -> [StockAllocation] {
        var left = available
        var merged: [StockAllocation] = []
        var index: [String: Int] = [:]
        for line in demand {
            var need = line.quantity
            for site in sites where need > 0 {
                let have = max(0, left[site.code]?[line.sku] ?? 0)
                guard have > 0 else { continue }
                let take = min(have, need)
                need -= take
                left[site.code, default: [:]][line.sku] = have - take
                let key = "\(site.code)\u{0}\(line.sku)\u{0}\(line.bundleSku ?? "")"
                if let at = index[key] {
                    merged[at].quantity += take
                } else {
                    index[key] = merged.count
                    merged.append(
                        StockAllocation(
                            warehouse: site.code, sku: line.sku, quantity: take, bin: bins[site.code]?[line.sku],
                            bundleSku: line.bundleSku))
                }
            }
        }
        return merged
    }
}
