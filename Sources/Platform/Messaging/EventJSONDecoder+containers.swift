/// The decoder of one value of a `JSONDocument`.
struct NodeDecoder: Decoder {
    let document: JSONDocument
    let index: Int

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard document.nodes[index].kind == .object else { throw EventJSONDecoder.Unsupported() }
        return KeyedDecodingContainer(ObjectReader<Key>(document: document, index: index))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard document.nodes[index].kind == .array else { throw EventJSONDecoder.Unsupported() }
        return ArrayReader(document: document, index: index)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleReader(document: document, index: index)
    }
}

/// The members of an object.
struct ObjectReader<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let document: JSONDocument
    let index: Int
    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] { ((try? document.names(of: index)) ?? []).compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { document.member(key.stringValue, of: index) != nil }

    /// The member's value; a missing one is left to Foundation to explain.
    private func value(_ key: Key) throws -> Int {
        guard let value = document.member(key.stringValue, of: index) else { throw EventJSONDecoder.Unsupported() }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { document.isNull(at: try value(key)) }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try document.bool(at: try value(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try document.string(at: try value(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { throw EventJSONDecoder.Unsupported() }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw EventJSONDecoder.Unsupported() }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try document.integer(type, at: try value(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try document.integer(type, at: try value(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try document.integer(type, at: try value(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try document.integer(type, at: try value(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try document.integer(type, at: try value(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try document.integer(type, at: try value(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try document.integer(type, at: try value(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try document.integer(type, at: try value(key))
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try document.integer(type, at: try value(key))
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try document.integer(type, at: try value(key))
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try document.value(type, at: try value(key))
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> { throw EventJSONDecoder.Unsupported() }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw EventJSONDecoder.Unsupported()
    }
    func superDecoder() throws -> any Decoder { throw EventJSONDecoder.Unsupported() }
    func superDecoder(forKey key: Key) throws -> any Decoder { throw EventJSONDecoder.Unsupported() }
}

/// The elements of an array, in order.
struct ArrayReader: UnkeyedDecodingContainer {
    let document: JSONDocument
    var codingPath: [any CodingKey] { [] }
    let count: Int?
    private(set) var currentIndex = 0
    /// The node of the next element.
    private var position: Int

    init(document: JSONDocument, index: Int) {
        self.document = document
        count = document.nodes[index].count
        position = index + 1
    }

    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    /// The next element's node; the container moves past it.
    private mutating func next() throws -> Int {
        guard !isAtEnd else { throw EventJSONDecoder.Unsupported() }
        defer {
            position = document.nodes[position].after
            currentIndex += 1
        }
        return position
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, document.isNull(at: position) else { return false }
        _ = try next()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try document.bool(at: try next()) }
    mutating func decode(_ type: String.Type) throws -> String { try document.string(at: try next()) }
    mutating func decode(_ type: Double.Type) throws -> Double { throw EventJSONDecoder.Unsupported() }
    mutating func decode(_ type: Float.Type) throws -> Float { throw EventJSONDecoder.Unsupported() }
    mutating func decode(_ type: Int.Type) throws -> Int { try document.integer(type, at: try next()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try document.integer(type, at: try next()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try document.integer(type, at: try next()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try document.integer(type, at: try next()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try document.integer(type, at: try next()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try document.integer(type, at: try next()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try document.integer(type, at: try next()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try document.integer(type, at: try next()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try document.integer(type, at: try next()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try document.integer(type, at: try next()) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.value(type, at: try next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> { throw EventJSONDecoder.Unsupported() }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw EventJSONDecoder.Unsupported()
    }
    mutating func superDecoder() throws -> any Decoder { throw EventJSONDecoder.Unsupported() }
}

/// A value read as one (a raw-value enum, a wrapper).
struct SingleReader: SingleValueDecodingContainer {
    let document: JSONDocument
    let index: Int
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool { document.isNull(at: index) }
    func decode(_ type: Bool.Type) throws -> Bool { try document.bool(at: index) }
    func decode(_ type: String.Type) throws -> String { try document.string(at: index) }
    func decode(_ type: Double.Type) throws -> Double { throw EventJSONDecoder.Unsupported() }
    func decode(_ type: Float.Type) throws -> Float { throw EventJSONDecoder.Unsupported() }
    func decode(_ type: Int.Type) throws -> Int { try document.integer(type, at: index) }
    func decode(_ type: Int8.Type) throws -> Int8 { try document.integer(type, at: index) }
    func decode(_ type: Int16.Type) throws -> Int16 { try document.integer(type, at: index) }
    func decode(_ type: Int32.Type) throws -> Int32 { try document.integer(type, at: index) }
    func decode(_ type: Int64.Type) throws -> Int64 { try document.integer(type, at: index) }
    func decode(_ type: UInt.Type) throws -> UInt { try document.integer(type, at: index) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try document.integer(type, at: index) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try document.integer(type, at: index) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try document.integer(type, at: index) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try document.integer(type, at: index) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try document.value(type, at: index) }
}
