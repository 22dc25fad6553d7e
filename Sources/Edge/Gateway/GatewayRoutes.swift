import ServiceKit

/// Which upstream service answers which part of `/api/v1`: the service whose contract has the most specific
/// path template for the request (so `/warehouses/{code}/pick-list` reaches fulfillment while the rest of
/// `/warehouses` is inventory's), else the service that owns the first path segment.
public struct GatewayRoutes: Sendable {
    /// First path segment under `/api/v1` → service name (from the services' contracts; the first service
    /// listed that has the segment owns it).
    public var prefixes: [String: String]

    /// Service name → its contract, whose path templates decide between services that share a first segment.
    public var contracts: [String: OpenAPIContract]

    /// Service name → base URLs of its replicas, e.g. `catalog` → [`http://127.0.0.1:8101`].
    public var upstreams: [String: [String]]

    /// `contracts` in the order of precedence for a shared first segment.
    public init(contracts: [(service: String, contract: OpenAPIContract)], upstreams: [String: [String]]) {
        var prefixes: [String: String] = [:]
        for (service, contract) in contracts {
            for segment in contract.firstSegments where prefixes[segment] == nil { prefixes[segment] = service }
        }
        self.prefixes = prefixes
        self.contracts = Dictionary(
            contracts.map { ($0.service, $0.contract) }, uniquingKeysWith: { first, _ in first })
        self.upstreams = upstreams
    }

    /// Parses `name=url` pairs (from `--upstream`; a name given twice has two replicas); throws on a
    /// malformed pair.
    public init(contracts: [(service: String, contract: OpenAPIContract)], pairs: [String]) throws {
        var upstreams: [String: [String]] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[1].hasPrefix("http://") || parts[1].hasPrefix("https://") else {
                throw ConfigurationError(description: "--upstream must be NAME=http://host:port, not \(pair)")
            }
            upstreams[parts[0], default: []].append(parts[1].hasSuffix("/") ? String(parts[1].dropLast()) : parts[1])
        }
        self.init(contracts: contracts, upstreams: upstreams)
    }

    /// The service for a request path: the most specific matching template among the services sharing its
    /// first segment, else the segment's owner; `nil` outside `/api/v1`.
    public func service(for path: String) -> String? {
        guard path.hasPrefix("/api/v1/") else { return nil }
        let segment = path.dropFirst("/api/v1/".count).split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        guard let owner = prefixes[segment] else { return nil }
        var best: (service: String, literals: Int)?
        for (service, contract) in contracts.sorted(by: { $0.key < $1.key })
        where contract.firstSegments.contains(segment) {
            if let literals = contract.specificity(of: path), literals > (best?.literals ?? -1) {
                best = (service, literals)
            }
        }
        return best?.service ?? owner
    }

    /// The service and its replicas' base URLs for a request path, or `nil` when no upstream serves it.
    public func upstream(for path: String) -> (service: String, baseURLs: [String])? {
        guard let service = service(for: path), let baseURLs = upstreams[service], !baseURLs.isEmpty else {
            return nil
        }
        return (service, baseURLs)
    }
}
