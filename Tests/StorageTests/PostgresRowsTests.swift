import Foundation
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("PostgreSQL rows decoded from their cells")
struct PostgresRowsTests {
    @Test func plainColumnsDecodeFromTheirCellsAndTheRestAsPostgresKitDoes() async throws {
        try await TestDatabase.with(.postgres) { database in
            try await database.transaction { db in
                let row = try #require(
                    try await db.raw(
                        """
                        SELECT \(bind: "Zürich ⚙") AS text, \(bind: 42) AS small, \(bind: Int64.max) AS big,
                            \(bind: true) AS flag, \(bind: String?.none) AS no_text, CAST(NULL AS BIGINT) AS no_number,
                            CAST(7 AS INTEGER) AS int4, CAST(2.5 AS NUMERIC) AS decimal, \(bind: Date(timeIntervalSince1970: 86_400)) AS at,
                            'not a number' AS words
                        """
                    ).first())
                // The plain types come from the cell (not through PostgresKit's row) …
                #expect(String(describing: type(of: row)).contains("PostgresPlainRow"))
                #expect(try row.decode(column: "text", as: String.self) == "Zürich ⚙")
                #expect(try row.decode(column: "small", as: Int.self) == 42)
                #expect(try row.decode(column: "big", as: Int64.self) == Int64.max)
                #expect(try row.decode(column: "int4", as: Int.self) == 7)
                #expect(try row.decode(column: "flag", as: Bool.self))
                #expect(try row.decode(column: "no_text", as: String?.self) == nil)
                #expect(try row.decode(column: "no_number", as: Int?.self) == nil)
                #expect(try row.decode(column: "text", as: String?.self) == "Zürich ⚙")
                #expect(try row.decode(column: "small", as: Int64?.self) == 42)
                #expect(try row.decodeNil(column: "no_text"))
                #expect(try !row.decodeNil(column: "text"))
                #expect(row.contains(column: "flag") && !row.contains(column: "nope"))
                // … the others as PostgresKit decodes them, and what does not decode still fails.
                #expect(try row.decode(column: "decimal", as: Double.self) == 2.5)
                #expect(try row.decode(column: "at", as: Date.self) == Date(timeIntervalSince1970: 86_400))
                #expect(throws: (any Error).self) { try row.decode(column: "words", as: Int.self) }
                #expect(throws: (any Error).self) { try row.decode(column: "no_text", as: String.self) }
                #expect(throws: (any Error).self) { try row.decode(column: "nope", as: String.self) }
            }
        }
    }
}
