import Foundation

/// The members of an object, written through `ValueEncoder`.
struct ObjectWriter<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { [] }

    private func member(_ key: Key, _ write: (JSONOutput) throws -> Void) throws {
        try encoder.beginMember(key.stringValue)
        try write(encoder.output)
        encoder.endMember()
    }

    mutating func encodeNil(forKey key: Key) throws { try member(key) { $0.append("null") } }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try member(key) { $0.append(value ? "true" : "false") }
    }
    mutating func encode(_ value: String, forKey key: Key) throws { try member(key) { $0.writeString(value) } }
    mutating func encode(_ value: Double, forKey key: Key) throws { throw EventJSONEncoder.Unsupported() }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw EventJSONEncoder.Unsupported() }
    mutating func encode(_ value: Int, forKey key: Key) throws { try member(key) { $0.writeInteger(Int64(value)) } }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try member(key) { $0.writeInteger(Int64(value)) } }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try member(key) { $0.writeInteger(Int64(value)) } }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try member(key) { $0.writeInteger(Int64(value)) } }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try member(key) { $0.writeInteger(value) } }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try member(key) { $0.writeDigits(UInt64(value)) } }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try member(key) { $0.writeDigits(UInt64(value)) } }
    mutating func encode(_ value: UInt16, forKey key: Key) throws {
        try member(key) { $0.writeDigits(UInt64(value)) }
    }
    mutating func encode(_ value: UInt32, forKey key: Key) throws {
        try member(key) { $0.writeDigits(UInt64(value)) }
    }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try member(key) { $0.writeDigits(value) } }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try member(key) { try $0.write(value) } }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        encoder.refuse().container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.refuse().unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { encoder.refuse() }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder.refuse() }
}

/// The elements of an array, written through `ValueEncoder`.
struct ArrayWriter: UnkeyedEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { [] }
    private(set) var count = 0

    init(encoder: ValueEncoder) { self.encoder = encoder }

    private mutating func element(_ write: (JSONOutput) throws -> Void) throws {
        try encoder.beginElement()
        count += 1
        try write(encoder.output)
    }

    mutating func encodeNil() throws { try element { $0.append("null") } }
    mutating func encode(_ value: Bool) throws { try element { $0.append(value ? "true" : "false") } }
    mutating func encode(_ value: String) throws { try element { $0.writeString(value) } }
    mutating func encode(_ value: Double) throws { throw EventJSONEncoder.Unsupported() }
    mutating func encode(_ value: Float) throws { throw EventJSONEncoder.Unsupported() }
    mutating func encode(_ value: Int) throws { try element { $0.writeInteger(Int64(value)) } }
    mutating func encode(_ value: Int64) throws { try element { $0.writeInteger(value) } }
    mutating func encode(_ value: UInt64) throws { try element { $0.writeDigits(value) } }
    mutating func encode<T: Encodable>(_ value: T) throws { try element { try $0.write(value) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    { encoder.refuse().container(keyedBy: keyType) }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { encoder.refuse().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { encoder.refuse() }
}

/// The one value of a value encoded as a single value (a raw-value enum, a wrapper).
struct SingleWriter: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { [] }

    private func single(_ write: (JSONOutput) throws -> Void) throws {
        try encoder.beginSingle()
        try write(encoder.output)
    }

    mutating func encodeNil() throws { try single { $0.append("null") } }
    mutating func encode(_ value: Bool) throws { try single { $0.append(value ? "true" : "false") } }
    mutating func encode(_ value: String) throws { try single { $0.writeString(value) } }
    mutating func encode(_ value: Double) throws { throw EventJSONEncoder.Unsupported() }
    mutating func encode(_ value: Float) throws { throw EventJSONEncoder.Unsupported() }
    mutating func encode(_ value: Int) throws { try single { $0.writeInteger(Int64(value)) } }
    mutating func encode(_ value: Int64) throws { try single { $0.writeInteger(value) } }
    mutating func encode(_ value: UInt64) throws { try single { $0.writeDigits(value) } }
    mutating func encode<T: Encodable>(_ value: T) throws { try single { try $0.write(value) } }
}
