import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The saga's events that move orders, applied a batch at a time: inventory's reservations (which
/// confirm) and fulfillment's slips (which send to the warehouse).
extension OrdersStore {
    /// Records where each order's stock is reserved and, with `autoConfirm`, confirms the orders still
    /// pending, in the consumer's transaction `db`, with the same few statements whatever the batch's
    /// size. An order cancelled meanwhile stays cancelled (inventory releases on its `order.cancelled`).
    func recordReservations(
        _ reservations: [Delivered<InventoryReserved>], autoConfirm: Bool, now: Date = .storageNow,
        in db: any SQLDatabase
    ) async throws {
        var rows = JSONRows(columns: [("order_id", "TEXT"), ("allocations", "TEXT")])
        for reservation in reservations {
            rows.append([
                .text(reservation.event.orderId),
                .text(String(decoding: try EventCoding.encode(reservation.event.allocations), as: UTF8.self)),
            ])
        }
        try await db.raw(
            """
            INSERT INTO order_reservations (order_id, allocations, received_at)
            SELECT v.order_id, v.allocations, \(bind: now.microsecondsSince1970)
            FROM \(rows.source(database.engine, alias: "v")) WHERE true
            ON CONFLICT (order_id) DO NOTHING
            """
        ).run()
        guard autoConfirm else { return }
        var orders = try await fetchAll(reservations.map(\.event.orderId), in: db)
        var moves: [(from: Order, to: Order, change: StatusChange)] = []
        var events: [EventEnvelope] = []
        for reservation in reservations {
            guard let order = orders[reservation.event.orderId], order.status == .pendingConfirmation else { continue }
            let (moved, change) = try order.transition(to: .confirmed, at: now, by: Self.inventoryActor, reason: nil)
            orders[order.id] = moved
            moves.append((order, moved, change))
            events += try reservation.traced {
                try OrderEventMapping.forMove(moved, change, allocations: reservation.event.allocations).map {
                    try EventEnvelope($0)
                }
            }
            OrderFlowMetrics.reached(moved.status.rawValue, placedAt: moved.createdAt, now: now)
        }
        guard !moves.isEmpty else { return }
        try await store(moves, now: now, in: db)
        try await Outbox.append(events, engine: database.engine, in: db)
    }

    /// The orders of `ids` that exist, by id, with two statements.
    func fetchAll(_ ids: [String], in db: any SQLDatabase) async throws -> [String: Order] {
        let ids = Array(Set(ids)).sorted()
        guard !ids.isEmpty else { return [:] }
        let rows = try await db.raw("SELECT * FROM orders WHERE id IN (\(binds: ids))").all()
        let lines = try await loadLines(ids, in: db)
        var orders: [String: Order] = [:]
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            orders[id] = try Self.order(from: row, lines: lines[id] ?? [])
        }
        return orders
    }

    /// Records the slips fulfillment made, then moves each of their orders as far as all its slips
    /// allow (as ``recordShipment(_:stage:now:in:)`` does for a shipment), in the consumer's transaction `db`, with the
    /// same few statements whatever the batch's size.
    func recordSlips(_ created: [Delivered<FulfillmentSlipCreated>], now: Date = .storageNow, in db: any SQLDatabase)
        async throws
    {
        var rows = JSONRows(columns: [("slip_id", "TEXT"), ("order_id", "TEXT"), ("slips_in_order", "BIGINT")])
        var slips = Set<String>()
        for slip in created.map(\.event.slip) where slips.insert(slip.slipId).inserted {
            rows.append([.text(slip.slipId), .text(slip.orderId), .integer(Int64(slip.slipsInOrder))])
        }
        try await db.raw(
            """
            INSERT INTO order_slips (slip_id, order_id, slips_in_order, stage, shipment_id, updated_at)
            SELECT v.slip_id, v.order_id, v.slips_in_order, \(bind: SlipStage.created.rawValue), NULL,
                \(bind: now.microsecondsSince1970)
            FROM \(rows.source(database.engine, alias: "v")) WHERE true
            ON CONFLICT (slip_id) DO NOTHING
            """
        ).run()
        let ids = Array(Set(created.map(\.event.slip.orderId))).sorted()
        var stages: [String: (stages: [SlipStage], expected: Int)] = [:]
        for row in try await db.raw(
            "SELECT order_id, stage, slips_in_order FROM order_slips WHERE order_id IN (\(binds: ids))"
        ).all() {
            let id = try row.decode(column: "order_id", as: String.self)
            let stage = SlipStage(rawValue: try row.decode(column: "stage", as: Int.self))
            let expected = try row.decode(column: "slips_in_order", as: Int.self)
            var entry = stages[id] ?? ([], 0)
            if let stage { entry.stages.append(stage) }
            entry.expected = max(entry.expected, expected)
            stages[id] = entry
        }
        let targets = stages.compactMapValues { Self.statusAllowed(by: $0.stages, slipsInOrder: $0.expected) }
        var orders = try await fetchAll(Array(targets.keys), in: db)
        let path: [OrderStatus] = [.confirmed, .sentToWarehouse, .shipped, .inTransit, .delivered]
        var moves: [(from: Order, to: Order, change: StatusChange)] = []
        var events: [EventEnvelope] = []
        var advanced = Set<String>()
        for delivered in created where advanced.insert(delivered.event.slip.orderId).inserted {
            let id = delivered.event.slip.orderId
            guard let target = targets[id], var order = orders[id], var position = path.firstIndex(of: order.status),
                let end = path.firstIndex(of: target)
            else { continue }
            while position < end {
                position += 1
                let actor = path[position] == .sentToWarehouse ? Self.fulfillmentActor : Self.shippingActor
                let (moved, change) = try order.transition(to: path[position], at: now, by: actor, reason: nil)
                moves.append((order, moved, change))
                events += try delivered.traced {
                    try OrderEventMapping.forMove(moved, change).map { try EventEnvelope($0) }
                }
                OrderFlowMetrics.reached(moved.status.rawValue, placedAt: moved.createdAt, now: now)
                order = moved
            }
            orders[id] = order
        }
        guard !moves.isEmpty else { return }
        try await store(moves, now: now, in: db)
        try await Outbox.append(events, engine: database.engine, in: db)
    }

    /// Stores `moves` (in order; an order may move more than one step) and their history, with one
    /// statement each; an order another writer moved first fails them all (409 `order.concurrent_update`).
    func store(_ moves: [(from: Order, to: Order, change: StatusChange)], now: Date, in db: any SQLDatabase)
        async throws
    {
        var previous: [String: Int] = [:]
        var last: [String: Order] = [:]
        var steps: [String: Int] = [:]
        var history = JSONRows(columns: [
            ("o", "BIGINT"), ("order_id", "TEXT"), ("k", "BIGINT"), ("from_status", "TEXT"), ("to_status", "TEXT"),
            ("at", "BIGINT"), ("actor", "TEXT"), ("reason", "TEXT"),
        ])
        for (index, move) in moves.enumerated() {
            let id = move.to.id
            if previous[id] == nil { previous[id] = move.from.version }
            last[id] = move.to
            steps[id, default: 0] += 1
            history.append([
                .integer(Int64(index)), .text(id), .integer(Int64(steps[id] ?? 1)), .text(move.change.from?.rawValue),
                .text(move.change.to.rawValue), .integer(move.change.at.microsecondsSince1970),
                .text(move.change.actor), .text(move.change.reason),
            ])
        }
        var orders = JSONRows(columns: [
            ("id", "TEXT"), ("status", "TEXT"), ("version", "BIGINT"), ("previous", "BIGINT"),
        ])
        for (id, order) in last.sorted(by: { $0.key < $1.key }) {
            orders.append([
                .text(id), .text(order.status.rawValue), .integer(Int64(order.version)),
                .integer(Int64(previous[id] ?? order.version)),
            ])
        }
        let updated = try await db.raw(
            """
            UPDATE orders SET status = v.status, updated_at = \(bind: now.microsecondsSince1970), version = v.version
            FROM \(orders.source(database.engine, alias: "v"))
            WHERE orders.id = v.id AND orders.version = v.previous RETURNING orders.id
            """
        ).all()
        guard updated.count == last.count else {
            throw Problem.conflict(
                "order.concurrent_update", "The order changed at the same time; read it and try again.")
        }
        try await db.raw(
            """
            INSERT INTO order_history (order_id, seq, from_status, to_status, at, actor, reason)
            SELECT v.order_id,
                COALESCE((SELECT MAX(h.seq) FROM order_history h WHERE h.order_id = v.order_id), 0) + v.k,
                v.from_status, v.to_status, v.at, v.actor, v.reason
            FROM \(history.source(database.engine, alias: "v")) ORDER BY v.o
            """
        ).run()
    }
}
