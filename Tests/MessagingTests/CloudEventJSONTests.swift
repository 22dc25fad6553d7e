import Foundation
import Testing

@testable import Messaging

/// The CloudEvents document written around the payload's own bytes, and read back to the same envelope.
@Suite("CloudEvents JSON documents")
struct CloudEventJSONTests {
    private static func envelope(subject: String?, data: String) -> EventEnvelope {
        EventEnvelope(
            id: "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b", source: "/orders", type: "orders.order.placed",
            time: Date(timeIntervalSince1970: 1_796_000_000.25), subject: subject, data: Data(data.utf8),
            traceparent: nil, schemaVersion: 3)
    }

    @Test func aDocumentReadsBackToTheSameEnvelopeWithThePayloadsBytes() throws {
        let payload = #"{"lines": [{"sku":"A\"}]","n":[1,[2,{}]]}], "note":"\u00e9 \\ {", "ok":true, "x":null}"#
        for subject in [nil, "plain", "quote \" backslash \\ newline \n tab \t bell \u{7} é ✓"] {
            let envelope = Self.envelope(subject: subject, data: payload)
            let document = try envelope.jsonData()
            let object = try #require(try JSONSerialization.jsonObject(with: document) as? [String: Any])
            #expect(object["subject"] as? String == subject)
            #expect(object["specversion"] as? String == "1.0" && object["schemaversion"] as? Int == 3)
            let read = try EventEnvelope(jsonData: document)
            #expect(read == envelope)
            #expect(String(decoding: read.data, as: UTF8.self) == payload)
        }
    }

    @Test func unknownMembersAreIgnoredAndMalformedDocumentsRefused() throws {
        let known = #""id":"e1","source":"/s","type":"t","time":"2026-12-06T10:00:00Z""#
        let read = try EventEnvelope(
            jsonData: Data(#" { "extra" : {"a":[1,2]} , \#(known), "data" : [1, "]"] , "more":-1.5e3 } "#.utf8))
        #expect(read.id == "e1" && read.schemaVersion == 1 && read.subject == nil)
        #expect(String(decoding: read.data, as: UTF8.self) == #"[1, "]"]"#)
        for malformed in [
            "", "[]", "{", #"{\#(known)"#, #"{\#(known),"data":{"a":1}"#, #"{\#(known),"data":{"a":1]}"#,
            #"{\#(known),"data":1} trailing"#, #"{\#(known)}"#, #"{\#(known),"data":"unterminated}"#,
            #"{"id":1,"source":"/s","type":"t","time":"2026-12-06T10:00:00Z","data":1}"#,
            #"{\#(known),"data":1,"schemaversion":"two"}"#,
        ] {
            #expect(throws: EnvelopeError.malformed, "\(malformed)") {
                try EventEnvelope(jsonData: Data(malformed.utf8))
            }
        }
    }
}
