import Foundation
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("Rows bound as one JSON parameter, on both engines")
struct JSONRowsTests {
    static let texts: [String?] = [
        "plain-id-0192f0c4", "", "a \"quoted\" word", "back\\slash", "line\nbreak\ttab\r", "\u{1}\u{1f}",
        "Straße 12, 3°", "🔧 brake kit", "/slash/", nil,
    ]
    static let integers: [Int64?] = [0, 7, -7, 10, -10, 1_000_000, Int64.max, Int64.min, nil, 42]

    /// Every text and integer comes back from the engine as it went in, in the order appended.
    @Test(arguments: Engine.allCases)
    func everyValueComesBackAsItWent(engine: Engine) async throws {
        var rows = JSONRows(columns: [("k", "BIGINT"), ("t", "TEXT"), ("n", "BIGINT")])
        for (index, (text, integer)) in zip(Self.texts, Self.integers).enumerated() {
            rows.append([.integer(Int64(index)), .text(text), .integer(integer)])
        }
        #expect(rows.count == Self.texts.count)
        try await TestDatabase.with(engine) { database in
            let read = try await database.read { db in
                try await db.raw("SELECT v.k, v.t, v.n FROM \(rows.source(engine, alias: "v")) ORDER BY v.k").all()
            }
            #expect(read.count == Self.texts.count)
            for (index, row) in read.enumerated() {
                #expect(try row.decode(column: "k", as: Int.self) == index)
                #expect(try row.decode(column: "t", as: String?.self) == Self.texts[index])
                #expect(try row.decode(column: "n", as: Int64?.self) == Self.integers[index])
            }
        }
    }

    /// The text is a JSON array any JSON reader reads, with nulls where a cell had none.
    @Test func theTextIsJSON() throws {
        var rows = JSONRows(columns: [("t", "TEXT"), ("n", "BIGINT")])
        for (text, integer) in zip(Self.texts, Self.integers) { rows.append([.text(text), .integer(integer)]) }
        let parsed = try #require(
            try JSONSerialization.jsonObject(with: Data(rows.text.utf8)) as? [[String: Any]])
        #expect(parsed.map { $0["t"] as? String } == Self.texts)
        #expect(parsed.map { ($0["n"] as? NSNumber)?.int64Value } == Self.integers)
        #expect(JSONRows(columns: [("t", "TEXT")]).text == "[]")
    }
}
