import Foundation
import ServiceKit

/// A span of time for a report: confirmed at or after `from`, before `to` (either may be open).
public struct ReportPeriod: Sendable, Equatable {
    public var from: Date?
    public var to: Date?

    public init(from: Date? = nil, to: Date? = nil) {
        self.from = from
        self.to = to
    }
}

/// How the revenue report groups: by UTC day or UTC month.
public enum RevenueInterval: String, Sendable, CaseIterable {
    case day, month
}

/// One SKU's sales in a period (cancelled orders excluded).
public struct SoldItem: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var quantity: Int
    public var net: Int64
    public var orders: Int
}

/// One order as the revenue reports count it.
public struct SalesOrder: Sendable, Equatable {
    public var confirmedAt: Date
    public var country: String
    public var net: Int64
    public var tax: Int64
    public var gross: Int64

    public init(confirmedAt: Date, country: String, net: Int64, tax: Int64, gross: Int64) {
        self.confirmedAt = confirmedAt
        self.country = country
        self.net = net
        self.tax = tax
        self.gross = gross
    }
}

/// Orders, net, tax and gross of a group (a period or a country).
public struct RevenueRow: Sendable, Equatable {
    public var key: String
    public var orders: Int
    public var net: Int64
    public var tax: Int64
    public var gross: Int64
}

/// The sales reports' arithmetic: pure.
public enum SalesReports {
    /// Orders grouped by UTC day (`2026-11-30`) or month (`2026-11`), oldest first; periods without
    /// orders are left out.
    public static func revenue(_ orders: [SalesOrder], by interval: RevenueInterval) -> [RevenueRow] {
        group(orders) { key(for: $0.confirmedAt, interval) }.sorted { $0.key < $1.key }
    }

    /// Orders grouped by shipping country, largest gross first (then by country).
    public static func byCountry(_ orders: [SalesOrder]) -> [RevenueRow] {
        group(orders, key: \.country).sorted { $0.gross != $1.gross ? $0.gross > $1.gross : $0.key < $1.key }
    }

    static func key(for date: Date, _ interval: RevenueInterval) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .gmt, from: date)
        let year = String(format: "%04d", parts.year ?? 0)
        let month = String(format: "%02d", parts.month ?? 0)
        switch interval {
        case .day: return "\(year)-\(month)-" + String(format: "%02d", parts.day ?? 0)
        case .month: return "\(year)-\(month)"
        }
    }

    private static func group(_ orders: [SalesOrder], key: (SalesOrder) -> String) -> [RevenueRow] {
        var rows: [String: RevenueRow] = [:]
        for order in orders {
            let name = key(order)
            var row = rows[name] ?? RevenueRow(key: name, orders: 0, net: 0, tax: 0, gross: 0)
            row.orders += 1
            row.net &+= order.net
            row.tax &+= order.tax
            row.gross &+= order.gross
            rows[name] = row
        }
        return Array(rows.values)
    }

    /// RFC 4180 CSV of `rows` under `header`: fields with a comma, semicolon, tab, quote or line break are
    /// quoted; a text field whose first visible character is `=`, `+`, `-`, `@`, tab, carriage return,
    /// `;` or `,` gets a leading `'`, so no spreadsheet, whichever separator its locale splits on, runs
    /// any part of it as a formula. `numeric` marks the columns that are numbers (never prefixed).
    public static func csv(header: [String], rows: [[String]], numeric: Set<Int>) -> String {
        func field(_ text: String, _ column: Int) -> String {
            var value = text
            // A text cell whose first visible character would start a formula, or that starts with a
            // separator (`;` splits cells in many locales), is made text with a leading apostrophe.
            let visible = value.unicodeScalars.first { $0 != " " }
            if !numeric.contains(column), let visible, "=+-@\t\r;,".unicodeScalars.contains(visible) {
                value = "'" + value
            }
            // Quoted whenever it holds a separator of any locale (`,`, `;`, tab), so no spreadsheet
            // splits it into a cell that starts a formula. Scalars, not characters: "\r\n" is one
            // Character and would hide a lone "\n".
            guard value.unicodeScalars.contains(where: { ",;\t\"\r\n".unicodeScalars.contains($0) }) else {
                return value
            }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return ([header] + rows).map { row in row.enumerated().map { field($1, $0) }.joined(separator: ",") }
            .joined(separator: "\r\n") + "\r\n"
    }
}
