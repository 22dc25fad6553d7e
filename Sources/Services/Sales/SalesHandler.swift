import Foundation
import OpenAPIRuntime
import SalesAPI
import ServiceKit

/// The sales service's HTTP API: reports for staff and admin, as JSON or CSV.
struct SalesHandler: APIProtocol, ContractHandler {
    let store: SalesStore
    let authenticator: Authenticator

    func listSoldItems(_ input: Operations.ListSoldItems.Input) async throws -> Operations.ListSoldItems.Output {
        _ = try await authenticator.require(.staff, .admin)
        let items = try await store.soldItems(ReportPeriod(from: input.query.from, to: input.query.to))
        if ContentNegotiation.prefers(.csv, over: .json, in: input.headers.accept) {
            let rows = items.map { [$0.sku, $0.name, String($0.quantity), decimal($0.net), String($0.orders)] }
            let text = SalesReports.csv(
                header: ["sku", "name", "quantity", "net", "orders"], rows: rows, numeric: [2, 3, 4])
            return .ok(.init(body: .csv(HTTPBody(text))))
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: items.map {
                            .init(
                                sku: $0.sku, name: $0.name, quantity: $0.quantity, net: money($0.net), orders: $0.orders
                            )
                        }))))
    }

    func getRevenue(_ input: Operations.GetRevenue.Input) async throws -> Operations.GetRevenue.Output {
        _ = try await authenticator.require(.staff, .admin)
        let interval = RevenueInterval(rawValue: input.query.interval?.rawValue ?? "day") ?? .day
        let orders = try await store.orders(ReportPeriod(from: input.query.from, to: input.query.to))
        let rows = SalesReports.revenue(orders, by: interval)
        if ContentNegotiation.prefers(.csv, over: .json, in: input.headers.accept) {
            return .ok(.init(body: .csv(HTTPBody(csv(rows, keyName: "period")))))
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        interval: interval == .day ? .day : .month, items: rows.map { row($0, period: true) },
                        total: row(total(rows), period: false)))))
    }

    func getSalesByCountry(_ input: Operations.GetSalesByCountry.Input) async throws
        -> Operations.GetSalesByCountry.Output
    {
        _ = try await authenticator.require(.staff, .admin)
        let orders = try await store.orders(ReportPeriod(from: input.query.from, to: input.query.to))
        let rows = SalesReports.byCountry(orders)
        if ContentNegotiation.prefers(.csv, over: .json, in: input.headers.accept) {
            return .ok(.init(body: .csv(HTTPBody(csv(rows, keyName: "country")))))
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: rows.map {
                            .init(
                                country: $0.key, orders: $0.orders, net: money($0.net), tax: money($0.tax),
                                gross: money($0.gross))
                        }, total: row(total(rows), period: false)))))
    }

    private func total(_ rows: [RevenueRow]) -> RevenueRow {
        rows.reduce(RevenueRow(key: "total", orders: 0, net: 0, tax: 0, gross: 0)) {
            RevenueRow(
                key: "total", orders: $0.orders + $1.orders, net: $0.net &+ $1.net, tax: $0.tax &+ $1.tax,
                gross: $0.gross &+ $1.gross)
        }
    }

    private func row(_ row: RevenueRow, period: Bool) -> Components.Schemas.RevenueRow {
        .init(
            period: period ? row.key : nil, orders: row.orders, net: money(row.net), tax: money(row.tax),
            gross: money(row.gross))
    }

    private func csv(_ rows: [RevenueRow], keyName: String) -> String {
        SalesReports.csv(
            header: [keyName, "orders", "net", "tax", "gross"],
            rows: rows.map { [$0.key, String($0.orders), decimal($0.net), decimal($0.tax), decimal($0.gross)] },
            numeric: [1, 2, 3, 4])
    }

    private func decimal(_ minor: Int64) -> String { Money(minorUnits: minor, currency: store.currency).decimal }

    private func money(_ minor: Int64) -> Components.Schemas.Money {
        .init(amount: decimal(minor), currency: store.currency)
    }
}
