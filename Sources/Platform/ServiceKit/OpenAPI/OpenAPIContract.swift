import Foundation
import HTTPTypes
import Yams

/// A service's OpenAPI document compiled for checking requests: its paths, methods, parameters and
/// request-body schemas.
///
/// swift-openapi-generator decodes types but does not enforce `minimum`, `maximum`, `maxLength`,
/// `maxItems` or `pattern`; ``RequestValidationMiddleware`` enforces them from this contract, so the
/// spec and the service cannot disagree.
public struct OpenAPIContract: Sendable {
    struct Parameter: Sendable {
        enum Location: String, Sendable { case query, header, path }
        let name: String
        let location: Location
        let required: Bool
        let schema: JSONSchema
    }

    struct Operation: Sendable {
        /// Whether the operation declares a security requirement (a bearer token).
        let secured: Bool
        let parameters: [Parameter]
        let body: JSONSchema?
        let bodyRequired: Bool
        /// The largest body the operation reads: an upload (``BodyLimits/upload``) when it takes anything
        /// but JSON (a CSV file), else ``BodyLimits/standard``.
        let maxBodyBytes: Int
    }

    struct Route: Sendable {
        /// Literal segments, or `nil` for a `{parameter}`.
        let segments: [String?]
        let names: [String?]
        let operations: [HTTPRequest.Method: Operation]

        var allowed: [HTTPRequest.Method] { operations.keys.sorted { $0.rawValue < $1.rawValue } }
    }

    let routes: [Route]
    /// The first path segment after the base (`/api/v1`) of every path: how a gateway finds the service.
    public let firstSegments: Set<String>

    /// Compiles the YAML document `yaml`; throws when it uses a schema keyword the validator cannot enforce.
    public init(yaml: String) throws {
        guard let document = try Yams.load(yaml: yaml) as? [String: Any] else { throw SpecError("not a YAML mapping") }
        let components = document["components"] as? [String: Any] ?? [:]
        let schemas = components["schemas"] as? [String: Any] ?? [:]
        let sharedParameters = components["parameters"] as? [String: Any] ?? [:]
        let base = ((document["servers"] as? [[String: Any]])?.first?["url"] as? String) ?? ""

        func parameter(_ node: Any) throws -> Parameter {
            var object = node as? [String: Any] ?? [:]
            if let reference = object["$ref"] as? String {
                let name = String(reference.split(separator: "/").last ?? "")
                guard let target = sharedParameters[name] as? [String: Any] else {
                    throw SpecError("unresolvable $ref \(reference)")
                }
                object = target
            }
            guard let name = object["name"] as? String, let place = object["in"] as? String,
                let location = Parameter.Location(rawValue: place)
            else { throw SpecError("a parameter needs a name and in: query, header or path") }
            return Parameter(
                name: name, location: location, required: object["required"] as? Bool ?? (location == .path),
                schema: try JSONSchema(object["schema"] ?? [:], components: schemas))
        }

        var routes: [Route] = []
        for (template, node) in (document["paths"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard let item = node as? [String: Any] else { continue }
            let common = try (item["parameters"] as? [Any] ?? []).map(parameter)
            var operations: [HTTPRequest.Method: Operation] = [:]
            for (key, value) in item where key != "parameters" {
                guard let method = HTTPRequest.Method(key.uppercased()), let operation = value as? [String: Any] else {
                    continue
                }
                let own = try (operation["parameters"] as? [Any] ?? []).map(parameter)
                let byName = Dictionary((common + own).map { ("\($0.location)/\($0.name.lowercased())", $0) }) {
                    _, later in later
                }
                let body = operation["requestBody"] as? [String: Any]
                let json = ((body?["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"]
                let security = operation["security"] as? [Any] ?? document["security"] as? [Any] ?? []
                operations[method] = Operation(
                    secured: !security.isEmpty,
                    parameters: byName.values.sorted { $0.name < $1.name },
                    body: try json.map { try JSONSchema($0, components: schemas) },
                    bodyRequired: body?["required"] as? Bool ?? false,
                    maxBodyBytes: ((body?["content"] as? [String: Any])?.keys.contains { $0 != "application/json" }
                        ?? false)
                        ? BodyLimits.upload : BodyLimits.standard)
            }
            let parts = (base + template).split(separator: "/").map(String.init)
            routes.append(
                Route(
                    segments: parts.map { $0.hasPrefix("{") ? nil : $0 },
                    names: parts.map { $0.hasPrefix("{") ? String($0.dropFirst().dropLast()) : nil },
                    operations: operations))
        }
        self.routes = routes
        let baseCount = base.split(separator: "/").count
        self.firstSegments = Set(routes.compactMap { $0.segments.count > baseCount ? $0.segments[baseCount] : nil })
    }

    /// How many literal segments of the best path template matching `path` (e.g. `/api/v1/warehouses/MAD/pick-list`
    /// against `/api/v1/warehouses/{code}/pick-list`: 4), or `nil` when no template matches: how a gateway
    /// picks the service when two share a first segment.
    public func specificity(of path: String) -> Int? {
        guard let (route, _) = match(path) else { return nil }
        return route.segments.compactMap { $0 }.count
    }

    /// The route whose template matches `path` (literal segments preferred), with its path parameters.
    /// Empty segments (`//`, a trailing `/`) are skipped, as the router skips them.
    func match(_ path: String) -> (Route, [String: String])? {
        let parts = path.split(separator: "/").map(String.init)
        var best: (route: Route, parameters: [String: String], literals: Int)?
        for route in routes where route.segments.count == parts.count {
            var parameters: [String: String] = [:]
            var literals = 0
            var matches = true
            for (index, segment) in route.segments.enumerated() {
                if let literal = segment {
                    guard literal == parts[index] else {
                        matches = false
                        break
                    }
                    literals += 1
                } else if let name = route.names[index] {
                    guard !parts[index].isEmpty else {
                        matches = false
                        break
                    }
                    parameters[name] = parts[index].removingPercentEncoding ?? parts[index]
                }
            }
            if matches, literals > (best?.literals ?? -1) { best = (route, parameters, literals) }
        }
        return best.map { ($0.route, $0.parameters) }
    }
}
