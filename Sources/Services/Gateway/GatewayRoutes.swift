import ServiceKit

/// Which upstream service answers which part of `/api/v1`: the first path segment decides.
public struct GatewayRoutes: Sendable, Equatable {
    /// First path segment under `/api/v1` → service name (from the services' contracts).
    public var prefixes: [String: String]

    /// Service name → base URLs of its replicas, e.g. `catalog` → [`http://127.0.0.1:8101`].
    public var upstreams: [String: [String]]

    public init(prefixes: [String: String], upstreams: [String: [String]]) {
        self.prefixes = prefixes
        self.upstreams = upstreams
    }

    /// Parses `name=url` pairs (from `--upstream`; a name given twice has two replicas); throws on a
    /// malformed pair.
    public init(prefixes: [String: String], pairs: [String]) throws {
        var upstreams: [String: [String]] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[1].hasPrefix("http://") || parts[1].hasPrefix("https://") else {
                throw ConfigurationError(description: "--upstream must be NAME=http://host:port, not \(pair)")
            }
            upstreams[parts[0], default: []].append(parts[1].hasSuffix("/") ? String(parts[1].dropLast()) : parts[1])
        }
        self.init(prefixes: prefixes, upstreams: upstreams)
    }

    /// The service and its replicas' base URLs for a request path, or `nil` when no upstream serves it.
    public func upstream(for path: String) -> (service: String, baseURLs: [String])? {
        guard path.hasPrefix("/api/v1/") else { return nil }
        let segment = path.dropFirst("/api/v1/".count).split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        guard let service = prefixes[segment], let baseURLs = upstreams[service], !baseURLs.isEmpty else {
            return nil
        }
        return (service, baseURLs)
    }
}
