import Foundation
import IntegrationEvents
import Testing

@testable import Messaging

/// `EventJSONDecoder` reads what Foundation's decoder reads with the events' settings, and refuses
/// (so that Foundation reads it, or says what is wrong) what it does not know.
@Suite("Event JSON decoder")
struct EventJSONDecoderTests {
    private typealias Sample = EventJSONEncoderTests.Sample

    /// Both decoders' outcomes for `text`: the value, or that it failed.
    private static func both<T: Decodable>(_ type: T.Type, _ text: String) -> (fast: T?, foundation: T?) {
        let data = Data(text.utf8)
        return (try? EventJSONDecoder.decode(type, from: data), try? EventCoding.decoder.decode(type, from: data))
    }

    @Test func readsWhatFoundationReadsFromWhatTheEncoderWrites() throws {
        for seconds in [0, 1_796_000_000, -2_208_988_800, 253_402_300_799] {
            let value = EventJSONEncoderTests.sample(Double(seconds))
            let data = try EventJSONEncoder.encode(value)
            #expect(try EventJSONDecoder.decode(Sample.self, from: data) == value)
            #expect(
                try EventJSONDecoder.decode(Sample.self, from: data)
                    == EventCoding.decoder.decode(Sample.self, from: data))
        }
        let texts = [EventJSONEncoderTests.awkward, "", "plain", "é ✓ 😀"]
        for text in texts {
            #expect(try EventJSONDecoder.decode(String.self, from: EventJSONEncoder.encode(text)) == text)
        }
    }

    @Test func readsAnOrderEventWrittenByHandWithWhiteSpace() throws {
        let address =
            #"{ "firstName" : "Ada", "lastName":"Lovelace", "line1":"1 Road\/2","city":"K\u00f6ln","postalCode":"50667","country":"DE", "company": null }"#
        let money = #"{"amount":"12.50","currency":"EUR","extra":[1, {"a": [true, false, null]}, -2.5e3]}"#
        let order = """
             {"order": {"orderId":"o-1","number":"SO-1","customerId":"c-1","status":"placed","lines":[
            {"sku":"KIT-1","name":"Brake \\"kit\\"\\n","quantity":2,"unitPrice":\(money),"lineTotal":\(money)}],
            "shippingAddress":\(address),"billingAddress":\(address),"subtotal":\(money),"tax":\(money),
            "taxRateBasisPoints":1900,"total":\(money),"createdAt":"2026-12-07T19:03:00Z","version":-1}}\t
            """
        let decoded = Self.both(OrderPlaced.self, order)
        #expect(decoded.fast != nil && decoded.fast == decoded.foundation)
        #expect(decoded.fast?.order.lines.first?.name == "Brake \"kit\"\n")
        #expect(decoded.fast?.order.shippingAddress.line1 == "1 Road/2" && decoded.fast?.order.version == -1)
        #expect(decoded.fast?.order.shippingAddress.city == "Köln")
        for escaped in [#""\ud83d\ude00 \u00e9\u0001""#, #""\ud83d""#, #""\ude00""#, #""\u12""#, #""\x""#] {
            let outcome = Self.both(String.self, escaped)
            #expect(outcome.fast == outcome.foundation, "\(escaped)")
        }
    }

    struct Stamp: Codable, Equatable { var at: Date }
    struct Count: Codable, Equatable { var n: Int8 }

    @Test func refusesWhatItDoesNotKnowOrFindsWrongAndFoundationDecidesThen() throws {
        let cases: [(String, Bool)] = [
            (#"{"at":"2026-12-07T19:03:00+01:00"}"#, true), (#"{"at":"2026-04-31T00:00:00Z"}"#, true),
            (#"{"at":"2026-12-07T19:03:00.5Z"}"#, true), (#"{"at":"2026-13-07T19:03:00Z"}"#, true),
            (#"{"at":1}"#, true), (#"{}"#, true), (#"{"at":"2026-12-07T19:03:00Z"} x"#, true),
            (#"{"at":"2026-12-07T19:03:00Z""#, true), (#"{"at":"2026-12-07T19:03:00Z"}"#, false),
        ]
        for (text, refused) in cases {
            let outcome = Self.both(Stamp.self, text)
            #expect((outcome.fast == nil) == refused, "\(text)")
            let either = try? EventCoding.decode(Stamp.self, from: Data(text.utf8))
            #expect(either == outcome.foundation, "\(text)")
        }
        for (text, value) in [(#"{"n":127}"#, Int8(127)), (#"{"n":-128}"#, -128)] {
            #expect(Self.both(Count.self, text).fast == Count(n: value))
        }
        for text in [#"{"n":128}"#, #"{"n":1.0}"#, #"{"n":"1"}"#, #"{"n":-}"#, #"{"n":null}"#] {
            #expect(Self.both(Count.self, text).fast == nil, "\(text)")
            #expect(
                (try? EventCoding.decode(Count.self, from: Data(text.utf8))) == Self.both(Count.self, text).foundation)
        }
        // What Foundation says of a missing member reaches the caller.
        #expect(throws: DecodingError.self) { try EventCoding.decode(Count.self, from: Data("{}".utf8)) }
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: EventJSONDecoder.Unsupported.self) {
            try EventJSONDecoder.decode([String].self, from: Data(deep.utf8))
        }
    }
}
