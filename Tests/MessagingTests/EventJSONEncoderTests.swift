import Foundation
import IntegrationEvents
import Testing

@testable import Messaging

/// `EventJSONEncoder` writes the bytes Foundation's encoder writes with the events' settings, and
/// refuses (so that Foundation writes them) what it does not know.
@Suite("Event JSON encoder")
struct EventJSONEncoderTests {
    private static func foundation(_ value: some Encodable) throws -> String {
        String(decoding: try EventCoding.encoder.encode(value), as: UTF8.self)
    }

    private static func fast(_ value: some Encodable) throws -> String {
        String(decoding: try EventJSONEncoder.encode(value), as: UTF8.self)
    }

    enum Kind: String, Codable, Equatable { case kit, part }

    struct Line: Codable, Equatable {
        var sku: String
        var quantity: Int
        var kind: Kind
        var note: String?
    }

    struct Empty: Codable, Equatable {}

    /// Members declared out of name order, upper case before lower, digits, nested values, optionals.
    struct Sample: Codable, Equatable {
        var zeta: String
        var Alpha: Int
        var a10: Bool
        var a9: Int64
        var orderedAt: Date
        var orderId: String
        var lines: [Line]
        var tags: [String]
        var counts: [String: Int]
        var nested: [[Int]]
        var optional: Int?
        var empty: Empty
        var emptyList: [Line]
        var small: UInt8
        var big: UInt64
        var negative: Int
    }

    static let awkward: String = {
        var text = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined()
        text += "\u{7F} é ✓ 😀 \u{2028} / \\ \" end"
        return text
    }()

    static func sample(_ seconds: Double) -> Sample {
        Sample(
            zeta: awkward, Alpha: Int.min, a10: true, a9: Int64.max, orderedAt: Date(timeIntervalSince1970: seconds),
            orderId: "0193a1b2-7c3d",
            lines: [
                Line(sku: "KIT-1", quantity: 2, kind: .kit, note: nil),
                Line(sku: "P/2", quantity: 0, kind: .part, note: "left \"door\""),
            ], tags: ["", "b", "a"], counts: ["zz": 1, "Zz": 2, "a1": 3, "a0": -4], nested: [[], [1, 2], [3]],
            optional: nil, empty: Empty(), emptyList: [], small: 255, big: UInt64.max, negative: -42)
    }

    @Test func writesFoundationsBytesForEveryKindOfValue() throws {
        for seconds in [0, 1.6, -1.4, 1_796_000_000.9996, 59.999_999, 253_402_300_799, -2_208_988_800] {
            let value = Self.sample(seconds)
            #expect(try Self.fast(value) == Self.foundation(value), "at \(seconds) s")
        }
        for value in [Self.awkward, "", "plain"] { #expect(try Self.fast(value) == Self.foundation(value)) }
        #expect(try Self.fast([Kind.kit, .part]) == Self.foundation([Kind.kit, .part]))
        #expect(try Self.fast(Empty()) == "{}")
    }

    @Test func writesFoundationsBytesForTheOrderEvents() throws {
        let address =
            #"{"firstName":"Ada","lastName":"Lovelace","line1":"1 Road","city":"Köln","postalCode":"50667","country":"DE","company":"A/B \"GmbH\""}"#
        let money = #"{"amount":"12.50","currency":"EUR"}"#
        let order = """
            {"orderId":"o-1","number":"SO-000001","customerId":"c-1","status":"placed","lines":[
            {"sku":"KIT-1","name":"Brake kit","quantity":2,"unitPrice":\(money),"lineTotal":\(money)},
            {"sku":"P-2","name":"Pad","quantity":1,"unitPrice":\(money),"lineTotal":\(money)}],
            "shippingAddress":\(address),"billingAddress":\(address),"subtotal":\(money),"tax":\(money),
            "taxRateBasisPoints":1900,"total":\(money),"createdAt":"2026-12-07T19:03:00Z","version":1}
            """
        let snapshot = try EventCoding.decoder.decode(OrderSnapshot.self, from: Data(order.utf8))
        let placed = OrderPlaced(order: snapshot)
        #expect(try Self.fast(placed) == Self.foundation(placed))
        let allocations = [StockAllocation(warehouse: "MAIN", sku: "P-2", quantity: 3, bin: nil, bundleSku: "KIT-1")]
        let reserved = InventoryReserved(orderId: "o-1", allocations: allocations, at: snapshot.createdAt)
        #expect(try Self.fast(reserved) == Self.foundation(reserved))
        #expect(try EventCoding.decoder.decode(OrderPlaced.self, from: EventJSONEncoder.encode(placed)) == placed)
    }

    struct WithDouble: Codable { var ratio: Double }

    struct Nesting: Encodable {
        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: CodingKeys.self)
            var inner = outer.nestedContainer(keyedBy: CodingKeys.self, forKey: .b)
            try inner.encode(1, forKey: .a)
        }
        enum CodingKeys: String, CodingKey { case a, b }
    }

    struct Twice: Encodable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Nesting.CodingKeys.self)
            try container.encode(2, forKey: .b)
            try container.encode(1, forKey: .b)
        }
    }

    @Test func refusesWhatItDoesNotKnowAndEventCodingAsksFoundationThen() throws {
        #expect(throws: EventJSONEncoder.Unsupported.self) { try EventJSONEncoder.encode(WithDouble(ratio: 1)) }
        #expect(throws: EventJSONEncoder.Unsupported.self) { try EventJSONEncoder.encode(Nesting()) }
        #expect(throws: EventJSONEncoder.Unsupported.self) { try EventJSONEncoder.encode(Twice()) }
        #expect(throws: EventJSONEncoder.Unsupported.self) { try EventJSONEncoder.encode(["é": 1]) }
        #expect(throws: EventJSONEncoder.Unsupported.self) {
            try EventJSONEncoder.encode([Date(timeIntervalSince1970: 253_402_300_800)])
        }
        let medieval = [Date(timeIntervalSince1970: -30_610_224_000)]
        #expect(throws: EventJSONEncoder.Unsupported.self) { try EventJSONEncoder.encode(medieval) }
        #expect(String(decoding: try EventCoding.encode(medieval), as: UTF8.self) == (try Self.foundation(medieval)))
        for value in [WithDouble(ratio: 1.0), WithDouble(ratio: 0.1)] {
            #expect(String(decoding: try EventCoding.encode(value), as: UTF8.self) == (try Self.foundation(value)))
        }
        #expect(String(decoding: try EventCoding.encode(Nesting()), as: UTF8.self) == #"{"b":{"a":1}}"#)
        #expect(String(decoding: try EventCoding.encode(["é": 1]), as: UTF8.self) == #"{"é":1}"#)
    }
}
