import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The saga's events that move orders, applied a batch at a time: inventory's reservations (which
/// confirm) and fulfillment's slips (which send to the warehouse, in `OrdersStore+slipBatches.swift`).
extension OrdersStore {
    /// The confirmations a batch of reservations makes, worked out before the consumer's transaction:
    /// each order still pending, as read on a reader, with its move and the events it publishes.
    struct ConfirmationPlan: Sendable {
        struct Step: Sendable {
            let from: Order
            let to: Order
            let change: StatusChange
            let events: [EventEnvelope]
        }

        let now: Date
        var steps: [String: Step] = [:]
    }

    /// ``ConfirmationPlan`` for `reservations`: reads their orders on a reader connection and makes the
    /// moves and events (the encoding of two order snapshots each) before the writer is taken.
    func planConfirmations(_ reservations: [Delivered<InventoryReserved>], now: Date = .storageNow) async throws
        -> ConfirmationPlan
    {
        let orders = try await database.read { db in try await fetchAll(reservations.map(\.event.orderId), in: db) }
        var plan = ConfirmationPlan(now: now)
        for reservation in reservations where plan.steps[reservation.event.orderId] == nil {
            guard let order = orders[reservation.event.orderId], order.status == .pendingConfirmation else { continue }
            plan.steps[order.id] = try confirmation(of: order, by: reservation, now: now)
        }
        return plan
    }

    /// The move that confirms `order` on `reservation`, with its events in the reservation's trace.
    private func confirmation(of order: Order, by reservation: Delivered<InventoryReserved>, now: Date) throws
        -> ConfirmationPlan.Step
    {
        let (moved, change) = try order.transition(to: .confirmed, at: now, by: Self.inventoryActor, reason: nil)
        let events = try reservation.traced {
            try OrderEventMapping.forMove(moved, change, allocations: reservation.event.allocations).map {
                try EventEnvelope($0)
            }
        }
        return ConfirmationPlan.Step(from: order, to: moved, change: change, events: events)
    }

    /// Records where each order's stock is reserved and, with `autoConfirm`, confirms the orders still
    /// pending, in the consumer's transaction `db`, with the same few statements whatever the batch's
    /// size. An order cancelled meanwhile stays cancelled (inventory releases on its `order.cancelled`).
    /// With a `plan`, the moves it made are written as they are: an order that moved since it was read
    /// fails the update's version check, and with it the transaction (the consumer then applies the
    /// events one at a time, without a plan).
    func recordReservations(
        _ reservations: [Delivered<InventoryReserved>], autoConfirm: Bool, plan: ConfirmationPlan? = nil,
        now: Date = .storageNow, in db: any SQLDatabase
    ) async throws {
        let now = plan?.now ?? now
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
        var steps: [ConfirmationPlan.Step] = []
        if let plan {
            var taken = Set<String>()
            for reservation in reservations where taken.insert(reservation.event.orderId).inserted {
                if let step = plan.steps[reservation.event.orderId] { steps.append(step) }
            }
        } else {
            var orders = try await fetchAll(reservations.map(\.event.orderId), in: db)
            for reservation in reservations {
                guard let order = orders[reservation.event.orderId], order.status == .pendingConfirmation else {
                    continue
                }
                let step = try confirmation(of: order, by: reservation, now: now)
                orders[order.id] = step.to
                steps.append(step)
            }
        }
        guard !steps.isEmpty else { return }
        try await store(steps.map { ($0.from, $0.to, $0.change) }, now: now, in: db)
        try await Outbox.append(steps.flatMap(\.events), engine: database.engine, in: db)
        for step in steps { OrderFlowMetrics.reached(step.to.status.rawValue, placedAt: step.to.createdAt, now: now) }
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
