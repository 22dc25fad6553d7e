import Foundation
import Sales
import Testing

@Suite("Sales report arithmetic")
struct SalesReportsTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text) ?? .distantPast }

    static let orders = [
        SalesOrder(confirmedAt: at("2026-10-31T23:59:59Z"), country: "DE", net: 1000, tax: 190, gross: 1190),
        SalesOrder(confirmedAt: at("2026-11-01T00:00:00Z"), country: "FR", net: 2000, tax: 400, gross: 2400),
        SalesOrder(confirmedAt: at("2026-11-01T12:00:00Z"), country: "DE", net: 500, tax: 95, gross: 595),
        SalesOrder(confirmedAt: at("2026-11-30T08:00:00Z"), country: "US", net: 300, tax: 0, gross: 300),
    ]

    @Test func revenueGroupsByUTCDayAndMonth() {
        #expect(
            SalesReports.revenue(Self.orders, by: .day).map { "\($0.key) \($0.orders) \($0.net) \($0.tax) \($0.gross)" }
                == [
                    "2026-10-31 1 1000 190 1190", "2026-11-01 2 2500 495 2995", "2026-11-30 1 300 0 300",
                ])
        #expect(
            SalesReports.revenue(Self.orders, by: .month).map { "\($0.key) \($0.orders) \($0.gross)" } == [
                "2026-10 1 1190", "2026-11 3 3295",
            ])
    }

    @Test func byCountryIsLargestFirst() {
        #expect(
            SalesReports.byCountry(Self.orders).map { "\($0.key) \($0.orders) \($0.gross)" } == [
                "FR 1 2400", "DE 2 1785", "US 1 300",
            ])
    }

    @Test func csvQuotesWhatItMustAndDisarmsFormulas() {
        let text = SalesReports.csv(
            header: ["sku", "name", "net"],
            rows: [
                ["A-1", #"Pad, "front""#, "-1.00"], ["=HYPERLINK(1)", "+x", "2.00"], ["B", "line\nbreak", "0.00"],
            ],
            numeric: [2])
        #expect(
            text
                == "sku,name,net\r\nA-1,\"Pad, \"\"front\"\"\",-1.00\r\n'=HYPERLINK(1),'+x,2.00\r\nB,\"line\nbreak\",0.00\r\n"
        )
    }

    @Test func csvDisarmsFormulasInLocalesThatSplitOnSemicolonsOrTabs() {
        let text = SalesReports.csv(
            header: ["name"], rows: [[";=1+1"], ["a;=1+1"], [",=2"], ["  =3"], ["tab\t=4"], ["plain"]], numeric: [])
        #expect(text == "name\r\n\"';=1+1\"\r\n\"a;=1+1\"\r\n\"',=2\"\r\n'  =3\r\n\"tab\t=4\"\r\nplain\r\n")
    }
}
