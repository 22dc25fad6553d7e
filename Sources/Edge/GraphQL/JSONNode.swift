import Foundation
import GraphQL
import OrderedCollections
import ServiceKit

/// A JSON object from a service's answer, as GraphQL's default resolver reads it: a field is the member
/// of the same name; an object member is another node, an array a list, a scalar the ``Map`` the
/// scalars serialize. The GraphQL types name their fields as the REST contracts do, so an answer needs
/// no mapping code.
struct JSONNode: KeySubscriptable, Sendable {
    let members: OrderedDictionary<String, Map>

    subscript(key: String) -> (any Sendable)? { Self.value(members[key] ?? .null) }

    /// `member` as a GraphQL value: `nil` for null, a node, a list, or the scalar itself.
    static func value(_ member: Map) -> (any Sendable)? {
        switch member {
        case .undefined, .null: nil
        case .dictionary(let members): JSONNode(members: members)
        case .array(let items): items.map { value($0) } as [(any Sendable)?]
        default: member
        }
    }

    /// The text of member `key`, or `nil`.
    func string(_ key: String) -> String? { members[key]?.string }

    /// `value` (an answer of a generated client) as a node: encoded as the REST API answers, read back
    /// with ServiceKit's JSON reader (decoding GraphQL's `Map` with `JSONDecoder` tries every type for
    /// every value and was more than half of a storefront query's time).
    static func from<Value: Encodable>(_ value: Value) throws -> JSONNode {
        guard case .object(let members)? = JSONValue(parsing: Array(try encoder.encode(value))) else {
            throw Problem.internalError
        }
        return JSONNode(members: OrderedDictionary(uniqueKeysWithValues: members.map { ($0.key, map($0.value)) }))
    }

    /// A JSON value as GraphQL's ``Map``.
    static func map(_ value: JSONValue) -> Map {
        switch value {
        case .null: .null
        case .boolean(let flag): .bool(flag)
        case .integer(let number): .number(Number(Int(number)))
        case .number(let number): .number(Number(number))
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(map))
        case .object(let members):
            .dictionary(OrderedDictionary(uniqueKeysWithValues: members.map { ($0.key, map($0.value)) }))
        }
    }

    /// A GraphQL input value (arguments) as a value of a generated type, decoded as the REST API would.
    static func decode<Value: Decodable>(_ type: Value.Type, from map: Map) throws -> Value {
        try decoder.decode(type, from: try encoder.encode(map))
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(try RFC3339DateTranscoder().encode(date))
        }
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            return try RFC3339DateTranscoder().decode(text)
        }
        return decoder
    }()
}
