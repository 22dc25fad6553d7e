import Foundation
import Hummingbird
import ServiceKit

/// The sales: revenue by day or month for a period, as a table and as a bar chart drawn on the server
/// (SVG), sold items, and both as CSV downloads.
extension BackOffice {
    func salesPage(_ visit: Visit) async throws -> Response {
        let period = SalesPeriod(visit)
        async let items = api.get("/sales/sold-items", query: period.query, as: visit.caller)
        let revenue = try await api.get(
            "/sales/revenue", query: period.query + [("interval", period.interval)], as: visit.caller)
        let rows = revenue["items"].array.map { row -> [String: Any] in
            [
                "period": row["period"].text, "orders": row["orders"].text, "net": Self.money(row["net"]),
                "tax": Self.money(row["tax"]), "gross": Self.money(row["gross"]),
                "amount": Decimal(string: row["gross"]["amount"].text) ?? 0,
            ]
        }
        let byPeriod = Dictionary(rows.map { ($0["period"] as? String ?? "", $0) }) { first, _ in first }
        let total = revenue["total"]
        let link = StaffAPI.queryString(
            [("from", period.from), ("to", period.to), ("interval", period.interval)])
        return pages.response(
            "sales",
            visit.layout(
                title: "Sales", nav: "sales",
                [
                    "from": period.from, "to": period.to, "interval": period.interval,
                    "byDay": period.interval == "day", "rows": rows,
                    "total": [
                        "orders": total["orders"].text, "net": Self.money(total["net"]),
                        "tax": Self.money(total["tax"]), "gross": Self.money(total["gross"]),
                    ],
                    "chart": Self.chart(
                        period.periods.map { name in byPeriod[name] ?? ["period": name, "amount": Decimal(0)] }),
                    "items": try await items["items"].array.map { item in
                        [
                            "sku": item["sku"].text, "name": item["name"].text, "quantity": item["quantity"].text,
                            "orders": item["orders"].text, "net": Self.money(item["net"]),
                        ]
                    },
                    "csvRevenue": "/admin/sales/revenue.csv" + link, "csvItems": "/admin/sales/sold-items.csv" + link,
                ]))
    }

    /// `revenue.csv` or `sold-items.csv` of the period, from the sales API's CSV.
    func salesCSV(_ visit: Visit, report: String) async throws -> Response {
        let period = SalesPeriod(visit)
        let query = report == "revenue" ? period.query + [("interval", period.interval)] : period.query
        let csv = try await api.page(
            "/sales/\(report)" + StaffAPI.queryString(query), accept: "text/csv", as: visit.caller)
        var headers = Pages.securityHeaders
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(report)-\(period.from)-\(period.to).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: csv)))
    }

    /// A bar per period, scaled to the highest, in a 800 × 240 box.
    static func chart(_ rows: [[String: Any]]) -> [String: Any] {
        let (width, height, base) = (800.0, 240.0, 230.0)
        let amounts = rows.map { $0["amount"] as? Decimal ?? 0 }
        let highest = amounts.max() ?? 0
        let slot = width / Double(max(rows.count, 1))
        let bars = zip(rows, amounts).enumerated().map { index, pair -> [String: Any] in
            let share = highest > 0 ? NSDecimalNumber(decimal: pair.1 / highest).doubleValue : 0
            let barHeight = max(0, share * (base - 10))
            return [
                "x": String(format: "%.1f", Double(index) * slot + slot * 0.1),
                "width": String(format: "%.1f", slot * 0.8), "y": String(format: "%.1f", base - barHeight),
                "height": String(format: "%.1f", barHeight), "period": pair.0["period"] ?? "",
                "gross": pair.0["gross"] ?? "", "orders": pair.0["orders"] ?? "",
            ]
        }
        let highestGross = rows.first { ($0["amount"] as? Decimal) == highest }?["gross"] ?? ""
        return ["width": Int(width), "height": Int(height), "base": Int(base), "bars": bars, "max": highestGross]
    }
}

/// The period a sales page shows: `from` and `to` days (inclusive, UTC), by day (the last 30 days when
/// not given) or by month (the last 12 months).
struct SalesPeriod {
    let from: String
    let to: String
    let interval: String

    init(_ visit: Visit, now: Date = Date()) {
        interval = visit.query("interval") == "month" ? "month" : "day"
        let day = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
        let valid = { (text: String?) in text.flatMap { try? Date($0 + "T00:00:00Z", strategy: .iso8601) } }
        let end = valid(visit.query("to")) ?? now
        let start =
            valid(visit.query("from")) ?? end.addingTimeInterval(interval == "day" ? -29 * 86_400 : -365 * 86_400)
        from = start.formatted(day)
        to = end.formatted(day)
    }

    /// Every period from `from` to `to` as the sales API names them (`2026-11-30`, or `2026-11`), at most
    /// 400: the chart's slots, empty where nothing was sold.
    var periods: [String] {
        guard let start = try? Date(from + "T00:00:00Z", strategy: .iso8601),
            let end = try? Date(to + "T00:00:00Z", strategy: .iso8601), start <= end
        else { return [] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        let step: Calendar.Component = interval == "day" ? .day : .month
        let style = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
        var names: [String] = []
        var date = start
        while date <= end, names.count < 400 {
            let name = date.formatted(style)
            names.append(interval == "day" ? name : String(name.prefix(7)))
            guard let next = calendar.date(byAdding: step, value: 1, to: date) else { break }
            date = next
        }
        if interval == "month", let last = names.last, last != String(to.prefix(7)) {
            names.append(String(to.prefix(7)))
        }
        return names
    }

    /// The API's `from` and `to`: the start of the first day and of the day after the last.
    var query: [(String, String?)] {
        [("from", BackOffice.startOfDay(from)), ("to", BackOffice.startOfDay(to, plusDays: 1))]
    }
}
