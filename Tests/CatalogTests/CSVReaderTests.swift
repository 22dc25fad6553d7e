import Catalog
import Testing

@Suite("CSV reading")
struct CSVReaderTests {
    static func read(_ text: String) -> (records: [CSVReader.Record], error: CSVReader.Malformed?) {
        var reader = CSVReader(text)
        var records: [CSVReader.Record] = []
        while let record = reader.next() { records.append(record) }
        return (records, reader.error)
    }

    @Test func quotedFieldsLineBreaksAndLineNumbers() {
        let text =
            "\u{FEFF}sku,name,price\r\nPAD,\"Pad, front\",39.90\r\n\r\nDISC,\"Disc \"\"312\"\"\nmm\",54\nLAST,,\n"
        let (records, error) = Self.read(text)
        #expect(error == nil)
        #expect(records.map(\.line) == [1, 2, 4, 6])
        #expect(records[0].fields == ["sku", "name", "price"])
        #expect(records[1].fields == ["PAD", "Pad, front", "39.90"])
        #expect(records[2].fields == ["DISC", "Disc \"312\"\nmm", "54"])
        #expect(records[3].fields == ["LAST", "", ""])
    }

    @Test func aFileWithoutTheLastLineBreakReadsItsLastRecord() {
        #expect(Self.read("a,b\nc,d").records.map(\.fields) == [["a", "b"], ["c", "d"]])
        #expect(Self.read("").records.isEmpty)
    }

    @Test func malformedQuotingStopsWithTheLine() {
        let open = Self.read("a,b\nc,\"never closed\nd,e\n")
        #expect(open.records.map(\.fields) == [["a", "b"]])
        #expect(open.error == CSVReader.Malformed(line: 2, reason: "a quoted field is not closed"))
        let trailing = Self.read("a\n\"x\"y,z\n")
        #expect(trailing.error?.line == 2)
        #expect(trailing.error?.reason == "text after a closing quote")
    }
}
