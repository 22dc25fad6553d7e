import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The saga's reservations, decided a batch of placed orders at a time.
extension InventoryStore {
    /// Reserves the stock of each order in `orders` or rejects it, in their order and in the consumer's
    /// transaction `db`: once per order whatever the deliveries, never when the order was cancelled first.
    ///
    /// The batch costs the same few statements whatever its size: the outcomes claimed, the recipes and
    /// the stock rows the batch needs read (locked in one order, as one order's were), then the orders
    /// decided one after the other in memory, each against the stock the ones before it left, and written
    /// with one statement per table. Each order's ledger entries are its own; the stock rows publish
    /// `inventory.stock.changed` once per batch, with their state after it (and `inventory.stock.low` when
    /// the batch took one to its reorder point).
    func reserve(_ orders: [Delivered<OrderSnapshot>], now: Date = .storageNow, in db: any SQLDatabase) async throws {
        let claimed = try await claim(orders.map(\.event.orderId), now: now, in: db)
        var fresh = claimed
        let orders = orders.filter { fresh.remove($0.event.orderId) != nil }
        guard !orders.isEmpty else { return }
        let lines = orders.map { $0.event.lines.map { (sku: $0.sku.uppercased(), quantity: $0.quantity) } }
        let skus = Array(Set(lines.flatMap { $0.map(\.sku) })).sorted()
        let recipes = try await recipes(for: skus, in: db)
        let known = try await knownSkus(skus, in: db)
        let unknown = skus.filter { !known.contains($0) && recipes.components[$0] == nil }
        guard unknown.isEmpty else { throw CatalogNotCaughtUp(skus: unknown) }
        // A kit too deep or an overflowing quantity: no warehouse can ever fill it (`nil`).
        let demands = lines.map { lines -> [DemandLine]? in try? recipes.expand(lines) }
        var stock = Dictionary(
            uniqueKeysWithValues: try await lockedStock(Set(demands.flatMap { $0 ?? [] }.map(\.sku)), in: db).map {
                (RowKey(warehouse: $0.warehouse, sku: $0.sku), $0)
            })
        let before = stock
        var available: [String: [String: Int]] = [:]
        var bins: [String: [String: String]] = [:]
        for row in stock.values {
            available[row.warehouse, default: [:]][row.sku] = row.available
            if let bin = row.bin { bins[row.warehouse, default: [:]][row.sku] = bin }
        }
        let sites = try await db.raw("SELECT * FROM warehouses").all().map { try InventoryRows.warehouse($0).site }

        var batch = ReservationBatch(now: now)
        for (index, order) in orders.enumerated() {
            let snapshot = order.event
            let destination = Destination(
                country: snapshot.shippingAddress.country, region: snapshot.shippingAddress.region)
            var plan = AllocationPlan.reject(
                lines[index].map { StockShortage(sku: $0.sku, requested: $0.quantity, available: 0) })
            if let demand = demands[index],
                let planned = try? Allocation.plan(
                    demand, to: destination, sites: sites, available: available, bins: bins)
            {
                plan = planned
            }
            switch plan {
            case .reserve(let allocations):
                for (key, quantity) in Self.perRow(allocations).sorted(by: { $0.key < $1.key }) {
                    guard var row = stock[key], row.available >= quantity else {
                        throw StockMovedUnderneath(warehouse: key.warehouse, sku: key.sku)
                    }
                    row.reserved += quantity
                    row.updatedAt = now
                    stock[key] = row
                    available[key.warehouse, default: [:]][key.sku] = row.available
                    batch.take(row, quantity, for: snapshot.orderId)
                }
                batch.reserved(allocations, for: snapshot.orderId)
                batch.events += try order.traced {
                    [try EventEnvelope(InventoryReserved(orderId: snapshot.orderId, allocations: allocations, at: now))]
                }
                OrderFlowMetrics.reached("reserved", placedAt: snapshot.createdAt, now: now)
            case .reject(let missing):
                batch.rejected(snapshot.orderId)
                batch.events += try order.traced {
                    [try EventEnvelope(InventoryRejected(orderId: snapshot.orderId, missing: missing, at: now))]
                }
                OrderFlowMetrics.reached("rejected", placedAt: snapshot.createdAt, now: now)
            }
        }
        try await write(batch, stock: stock, before: before, in: db)
    }

    /// Writes what ``reserve(_:now:in:)`` decided: the stock rows' new reservations (each checked again
    /// by the statement), their ledger entries, the reservations, the outcomes and the events.
    private func write(
        _ batch: ReservationBatch, stock: [RowKey: StockLevel], before: [RowKey: StockLevel], in db: any SQLDatabase
    ) async throws {
        if !batch.deltas.isEmpty {
            var rows = JSONRows(columns: [("warehouse", "TEXT"), ("sku", "TEXT"), ("delta", "BIGINT")])
            for (key, delta) in batch.deltas.sorted(by: { $0.key < $1.key }) {
                rows.append([.text(key.warehouse), .text(key.sku), .integer(Int64(delta))])
            }
            let changed = try await db.raw(
                """
                UPDATE stock SET reserved = stock.reserved + v.delta, updated_at = \(bind: batch.now.microsecondsSince1970)
                FROM \(rows.source(database.engine, alias: "v"))
                WHERE stock.warehouse = v.warehouse AND stock.sku = v.sku
                    AND stock.reserved + v.delta >= 0 AND stock.on_hand - stock.reserved >= v.delta
                RETURNING stock.sku
                """
            ).all()
            // Under the row locks this cannot happen; if it did, the batch rolls back and is retried.
            guard changed.count == batch.deltas.count else {
                let key = batch.deltas.keys.sorted()[0]
                throw StockMovedUnderneath(warehouse: key.warehouse, sku: key.sku)
            }
            try await record(batch.changes, actor: Self.actor, in: db)
        }
        if batch.reservations.count > 0 {
            try await db.raw(
                """
                INSERT INTO reservations (order_id, position, warehouse, sku, quantity, bin, bundle_sku, status, updated_at)
                SELECT v.order_id, v.position, v.warehouse, v.sku, v.quantity, v.bin, v.bundle_sku, 'open',
                    \(bind: batch.now.microsecondsSince1970)
                FROM \(batch.reservations.source(database.engine, alias: "v"))
                """
            ).run()
        }
        var outcomes = JSONRows(columns: [("order_id", "TEXT"), ("outcome", "TEXT")])
        for (orderId, outcome) in batch.outcomes { outcomes.append([.text(orderId), .text(outcome.rawValue)]) }
        try await db.raw(
            """
            UPDATE order_outcomes SET outcome = v.outcome, at = \(bind: batch.now.microsecondsSince1970)
            FROM \(outcomes.source(database.engine, alias: "v")) WHERE order_outcomes.order_id = v.order_id
            """
        ).run()
        var events = batch.events
        for (key, row) in stock.sorted(by: { $0.key < $1.key }) where batch.deltas[key] != nil {
            events += try self.events(
                of: row, availableBefore: before[key]?.available ?? row.available, cause: .reserve)
        }
        try await Outbox.append(events, engine: database.engine, in: db)
    }

    /// Records `pending` as the outcome of each of `orderIds` that has none yet, with one statement; the
    /// ones recorded now.
    private func claim(_ orderIds: [String], now: Date, in db: any SQLDatabase) async throws -> Set<String> {
        var rows = JSONRows(columns: [("order_id", "TEXT")])
        for orderId in orderIds { rows.append([.text(orderId)]) }
        return Set(
            try await db.raw(
                """
                INSERT INTO order_outcomes (order_id, outcome, at)
                SELECT v.order_id, \(bind: OrderOutcome.pending.rawValue), \(bind: now.microsecondsSince1970)
                FROM \(rows.source(database.engine, alias: "v")) WHERE true
                ON CONFLICT (order_id) DO NOTHING RETURNING order_id
                """
            ).all().map { try $0.decode(column: "order_id", as: String.self) })
    }
}

/// What a batch of reservations decided, gathered to be written with one statement per table.
private struct ReservationBatch {
    let now: Date
    var deltas: [InventoryStore.RowKey: Int] = [:]
    var changes: [StockChange] = []
    var reservations = JSONRows(columns: [
        ("order_id", "TEXT"), ("position", "BIGINT"), ("warehouse", "TEXT"), ("sku", "TEXT"), ("quantity", "BIGINT"),
        ("bin", "TEXT"), ("bundle_sku", "TEXT"),
    ])
    var outcomes: [(String, OrderOutcome)] = []
    var events: [EventEnvelope] = []

    init(now: Date) { self.now = now }

    /// `quantity` more reserved of `row` (as it is after it) for order `orderId`.
    mutating func take(_ row: StockLevel, _ quantity: Int, for orderId: String) {
        deltas[InventoryStore.RowKey(warehouse: row.warehouse, sku: row.sku), default: 0] += quantity
        changes.append(StockChange(after: row, cause: .reserve, reservedDelta: quantity, orderId: orderId))
    }

    /// Order `orderId` reserved `allocations`.
    mutating func reserved(_ allocations: [StockAllocation], for orderId: String) {
        for (position, allocation) in allocations.enumerated() {
            reservations.append([
                .text(orderId), .integer(Int64(position)), .text(allocation.warehouse), .text(allocation.sku),
                .integer(Int64(allocation.quantity)), .text(allocation.bin), .text(allocation.bundleSku),
            ])
        }
        outcomes.append((orderId, .reserved))
    }

    /// Order `orderId` was rejected.
    mutating func rejected(_ orderId: String) {
        outcomes.append((orderId, .rejected))
    }
}
