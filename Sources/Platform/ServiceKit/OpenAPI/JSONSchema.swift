import Foundation

/// The subset of JSON Schema (2020-12, as OpenAPI 3.1 uses it) that Sprocket's specs declare, compiled
/// once from a spec and checked against decoded JSON values.
///
/// Keywords: `type` (one or a list, `null` included), `enum`, `properties`, `required`,
/// `additionalProperties`, `maxProperties`, `propertyNames`, `items`, `minItems`, `maxItems`, `minLength`, `maxLength`, `pattern`,
/// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `format: date-time`, `$ref` to
/// `#/components/schemas/…`. String lengths count Unicode scalars, as JSON Schema does. A keyword
/// outside this list is refused when the spec is loaded, so a spec can never promise a limit that is
/// silently not enforced.
public final class JSONSchema: Sendable {
    let types: Set<String>?
    let enumeration: [String]?
    let properties: [String: JSONSchema]
    let required: [String]
    let additionalProperties: Additional
    let maxProperties: Int?
    let propertyNames: JSONSchema?
    let items: JSONSchema?
    let minItems: Int?
    let maxItems: Int?
    let minLength: Int?
    let maxLength: Int?
    let pattern: NSRegularExpressionBox?
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Double?
    let exclusiveMaximum: Double?
    let dateTime: Bool
    /// The schema's description: what a person is told when a value breaks its `pattern`.
    let summary: String?

    enum Additional: Sendable {
        case any
        case forbidden
        case schema(JSONSchema)
    }

    static let annotations: Set<String> = [
        "description", "title", "example", "examples", "default", "deprecated", "readOnly", "writeOnly", "format",
    ]
    static let keywords: Set<String> = [
        "type", "enum", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
        "minLength", "maxLength", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "$ref",
        "maxProperties", "propertyNames",
    ]

    /// Compiles `node`, resolving `$ref`s through `components` (the spec's `components.schemas`).
    init(_ node: Any, components: [String: Any], depth: Int = 0) throws {
        guard depth < 32, var object = node as? [String: Any] else {
            throw SpecError("a schema must be an object (and nest less than 32 levels)")
        }
        if let reference = object["$ref"] as? String {
            let name = String(reference.dropFirst("#/components/schemas/".count))
            guard reference.hasPrefix("#/components/schemas/"), let target = components[name] as? [String: Any] else {
                throw SpecError("unresolvable $ref \(reference)")
            }
            object = target.merging(object.filter { $0.key != "$ref" }) { target, _ in target }
        }
        for key in object.keys where !Self.keywords.contains(key) && !Self.annotations.contains(key) {
            throw SpecError("schema keyword \(key) is not enforced by Sprocket's validator")
        }
        func sub(_ value: Any?) throws -> JSONSchema? {
            try value.map { try JSONSchema($0, components: components, depth: depth + 1) }
        }
        if let type = object["type"] as? String {
            types = [type]
        } else if let list = object["type"] as? [String] {
            types = Set(list)
        } else {
            types = nil
        }
        enumeration = (object["enum"] as? [Any])?.map { "\($0)" }
        properties = try (object["properties"] as? [String: Any] ?? [:]).mapValues {
            try JSONSchema($0, components: components, depth: depth + 1)
        }
        required = object["required"] as? [String] ?? []
        switch object["additionalProperties"] {
        case let flag as Bool: additionalProperties = flag ? .any : .forbidden
        case let schema?:
            additionalProperties = .schema(try JSONSchema(schema, components: components, depth: depth + 1))
        case nil: additionalProperties = .any
        }
        items = try sub(object["items"])
        maxProperties = object["maxProperties"] as? Int
        propertyNames = try sub(object["propertyNames"])
        minItems = object["minItems"] as? Int
        maxItems = object["maxItems"] as? Int
        minLength = object["minLength"] as? Int
        maxLength = object["maxLength"] as? Int
        pattern = try (object["pattern"] as? String).map(NSRegularExpressionBox.init)
        minimum = Self.number(object["minimum"])
        maximum = Self.number(object["maximum"])
        exclusiveMinimum = Self.number(object["exclusiveMinimum"])
        exclusiveMaximum = Self.number(object["exclusiveMaximum"])
        dateTime = object["format"] as? String == "date-time"
        summary = (object["description"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func number(_ value: Any?) -> Double? {
        switch value {
        case let int as Int: Double(int)
        case let double as Double: double
        default: nil
        }
    }

    /// Records in `errors` every way `value` breaks this schema, under the field path `path`.
    func validate(_ value: JSONValue, at path: String, into errors: inout [FieldError]) {
        guard errors.count < 50 else { return }
        if let types, !types.contains(value.kind), !(value.kind == "integer" && types.contains("number")) {
            errors.append(
                FieldError(field: path, message: "must be of type \(types.sorted().joined(separator: " or "))"))
            return
        }
        if let enumeration, case .string(let text) = value, !enumeration.contains(text) {
            errors.append(FieldError(field: path, message: "must be one of \(enumeration.joined(separator: ", "))"))
            return
        }
        switch value {
        case .string(let text): validate(text, at: path, into: &errors)
        case .integer(let number): validate(Double(number), at: path, into: &errors)
        case .number(let number): validate(number, at: path, into: &errors)
        case .array(let array):
            if let minItems, array.count < minItems {
                errors.append(FieldError(field: path, message: "must hold at least \(minItems) items"))
            }
            if let maxItems, array.count > maxItems {
                errors.append(FieldError(field: path, message: "must hold at most \(maxItems) items"))
                return
            }
            if let items {
                for (index, element) in array.enumerated() {
                    items.validate(element, at: "\(path).\(index)", into: &errors)
                }
            }
        case .object(let object):
            if let maxProperties, object.count > maxProperties {
                errors.append(
                    FieldError(
                        field: path.isEmpty ? "body" : path, message: "must have at most \(maxProperties) entries"))
                return
            }
            for name in required where object[name] == nil {
                errors.append(FieldError(field: Self.join(path, name), message: "is required"))
            }
            for (name, element) in object.sorted(by: { $0.key < $1.key }) {
                propertyNames?.validate(.string(name), at: Self.join(path, name), into: &errors)
                if let schema = properties[name] {
                    schema.validate(element, at: Self.join(path, name), into: &errors)
                    continue
                }
                switch additionalProperties {
                case .any: break
                case .forbidden:
                    errors.append(FieldError(field: Self.join(path, name), message: "is not a known field"))
                case .schema(let schema): schema.validate(element, at: Self.join(path, name), into: &errors)
                }
            }
        case .null, .boolean:
            break
        }
    }

    /// Whether `value` has this schema's type, enum and format (its limits aside).
    func isWellFormed(_ value: JSONValue) -> Bool {
        if let types, !types.contains(value.kind), !(value.kind == "integer" && types.contains("number")) {
            return false
        }
        guard case .string(let text) = value else { return true }
        if let enumeration, !enumeration.contains(text) { return false }
        return !dateTime || RFC3339.date(from: text) != nil
    }

    private func validate(_ text: String, at path: String, into errors: inout [FieldError]) {
        let length = text.unicodeScalars.count
        if let minLength, length < minLength {
            errors.append(FieldError(field: path, message: "must be at least \(minLength) characters"))
        }
        if let maxLength, length > maxLength {
            errors.append(FieldError(field: path, message: "must be at most \(maxLength) characters"))
            return
        }
        if let pattern, !pattern.matches(text) {
            let rule = summary.map { "must be: \($0)" } ?? "must match \(pattern.source)"
            errors.append(FieldError(field: path, message: rule))
        }
        if dateTime, RFC3339.date(from: text) == nil {
            errors.append(FieldError(field: path, message: "must be an RFC 3339 date-time"))
        }
    }

    private func validate(_ number: Double, at path: String, into errors: inout [FieldError]) {
        if let minimum, number < minimum {
            errors.append(FieldError(field: path, message: "must be at least \(Self.format(minimum))"))
        }
        if let maximum, number > maximum {
            errors.append(FieldError(field: path, message: "must be at most \(Self.format(maximum))"))
        }
        if let exclusiveMinimum, number <= exclusiveMinimum {
            errors.append(FieldError(field: path, message: "must be more than \(Self.format(exclusiveMinimum))"))
        }
        if let exclusiveMaximum, number >= exclusiveMaximum {
            errors.append(FieldError(field: path, message: "must be less than \(Self.format(exclusiveMaximum))"))
        }
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    private static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
}

/// A compiled `pattern`, matched anywhere in the string as JSON Schema specifies.
final class NSRegularExpressionBox: Sendable {
    let source: String
    private let expression: NSRegularExpression
    private let native: ScalarPattern?

    init(_ source: String) throws {
        self.source = source
        self.native = ScalarPattern(source)
        do {
            self.expression = try NSRegularExpression(pattern: source)
        } catch {
            throw SpecError("pattern \(source) does not compile")
        }
    }

    func matches(_ text: String) -> Bool {
        if let native { return native.matches(text) }
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// A spec that uses something the validator cannot enforce.
public struct SpecError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
