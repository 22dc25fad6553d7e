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
        /// Set when the operation is `deprecated: true` (docs/VERSIONING.md).
        let deprecation: Deprecation?
    }

    /// What every answer to a deprecated operation says: `Deprecation: true`, its `Sunset` (RFC 8594,
    /// from `x-sunset: YYYY-MM-DD`) and the `Link` to its successor (`x-replaced-by`).
    struct Deprecation: Sendable, Equatable {
        let sunset: String?
        let successor: String?

        init(_ operation: [String: Any]) {
            var day = operation["x-sunset"] as? String
            if let date = operation["x-sunset"] as? Date {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
                let parts = calendar.dateComponents([.year, .month, .day], from: date)
                day = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            }
            sunset = day.flatMap(Self.httpDate)
            successor = operation["x-replaced-by"] as? String
        }

        /// `2027-06-30` as an IMF-fixdate (`Wed, 30 Jun 2027 00:00:00 GMT`).
        static func httpDate(_ day: String) -> String? {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "yyyy-MM-dd"
            guard let date = formatter.date(from: day) else { return nil }
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            return formatter.string(from: date)
        }

        func annotate(_ headers: inout HTTPFields) {
            headers[.deprecation] = "true"
            if let sunset { headers[.sunset] = sunset }
            if let successor { headers[.link] = "<\(successor)>; rel=\"successor-version\"" }
        }
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
                        ? BodyLimits.upload : BodyLimits.standard,
                    deprecation: operation["deprecated"] as? Bool == true ? Deprecation(operation) : nil)
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

// swift-format-ignore: NeverForceUnwrap
// Constant, valid header names: the failable initializer cannot fail for them.
extension HTTPField.Name {
    /// RFC 9745 / draft-ietf-httpapi-deprecation-header: the resource is deprecated.
    static let deprecation = Self("Deprecation")!
    /// RFC 8594: when the resource stops answering.
    static let sunset = Self("Sunset")!
    /// RFC 8288: the successor of a deprecated operation.
    static let link = Self("Link")!
}
