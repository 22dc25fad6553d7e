import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// Fulfillment's slips, a batch at a time: each order moves as far as all its slips allow.
extension OrdersStore {
    /// How far a batch of slips moves their orders, worked out before the consumer's transaction: the
    /// slips each order has (the batch's new ones added), as read on a reader, where they take it, and
    /// the moves and events that take it there.
    struct SlipPlan: Sendable {
        struct Advance: Sendable {
            let target: OrderStatus
            let moves: [(from: Order, to: Order, change: StatusChange)]
            let events: [EventEnvelope]
        }

        let now: Date
        var advances: [String: Advance] = [:]
    }

    /// ``SlipPlan`` for `created`: reads the orders' slips and the orders on a reader connection and makes
    /// the moves and events (an order snapshot encoded for each) before the writer is taken.
    func planSlips(_ created: [Delivered<FulfillmentSlipCreated>], now: Date = .storageNow) async throws -> SlipPlan {
        let ids = Array(Set(created.map(\.event.slip.orderId))).sorted()
        let (targets, orders) = try await database.read { db -> ([String: OrderStatus], [String: Order]) in
            var stages = try await slipStages(of: ids, in: db)
            for slip in created.map(\.event.slip) where stages[slip.orderId]?.slips[slip.slipId] == nil {
                var entry = stages[slip.orderId] ?? ([:], 0)
                entry.slips[slip.slipId] = .created
                entry.expected = max(entry.expected, slip.slipsInOrder)
                stages[slip.orderId] = entry
            }
            let targets = stages.compactMapValues {
                Self.statusAllowed(by: Array($0.slips.values), slipsInOrder: $0.expected)
            }
            return (targets, try await fetchAll(Array(targets.keys), in: db))
        }
        var plan = SlipPlan(now: now)
        for delivered in created where plan.advances[delivered.event.slip.orderId] == nil {
            let id = delivered.event.slip.orderId
            guard let target = targets[id], let order = orders[id] else { continue }
            let (moves, events) = try advance(order, to: target, by: delivered, now: now)
            plan.advances[id] = SlipPlan.Advance(target: target, moves: moves, events: events)
        }
        return plan
    }

    /// Records the slips fulfillment made, then moves each of their orders as far as all its slips
    /// allow (as ``recordShipment(_:stage:now:in:)`` does for a shipment), in the consumer's transaction
    /// `db`, with the same few statements whatever the batch's size. An order whose target is the one
    /// `plan` found takes the plan's moves (an order that moved since fails the update's version check,
    /// and the transaction with it); the others are read and moved here.
    func recordSlips(
        _ created: [Delivered<FulfillmentSlipCreated>], plan: SlipPlan? = nil, now: Date = .storageNow,
        in db: any SQLDatabase
    ) async throws {
        let now = plan?.now ?? now
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
        let targets = try await slipStages(of: ids, in: db).compactMapValues {
            Self.statusAllowed(by: Array($0.slips.values), slipsInOrder: $0.expected)
        }
        let unplanned = targets.filter { id, target in plan?.advances[id]?.target != target }.map(\.key)
        var orders = try await fetchAll(unplanned, in: db)
        var moves: [(from: Order, to: Order, change: StatusChange)] = []
        var events: [EventEnvelope] = []
        var advanced = Set<String>()
        for delivered in created where advanced.insert(delivered.event.slip.orderId).inserted {
            let id = delivered.event.slip.orderId
            guard let target = targets[id] else { continue }
            if let planned = plan?.advances[id], planned.target == target {
                moves += planned.moves
                events += planned.events
            } else if let order = orders[id] {
                let (orderMoves, orderEvents) = try advance(order, to: target, by: delivered, now: now)
                moves += orderMoves
                events += orderEvents
                orders[id] = orderMoves.last?.to ?? order
            }
        }
        guard !moves.isEmpty else { return }
        try await store(moves, now: now, in: db)
        try await Outbox.append(events, engine: database.engine, in: db)
        for move in moves { OrderFlowMetrics.reached(move.to.status.rawValue, placedAt: move.to.createdAt, now: now) }
    }

    /// Every slip of the orders `ids` with its stage, and the most slips any of them says its order has.
    private func slipStages(of ids: [String], in db: any SQLDatabase) async throws
        -> [String: (slips: [String: SlipStage], expected: Int)]
    {
        guard !ids.isEmpty else { return [:] }
        var stages: [String: (slips: [String: SlipStage], expected: Int)] = [:]
        for row in try await db.raw(
            "SELECT slip_id, order_id, stage, slips_in_order FROM order_slips WHERE order_id IN (\(binds: ids))"
        ).all() {
            let id = try row.decode(column: "order_id", as: String.self)
            var entry = stages[id] ?? ([:], 0)
            if let stage = SlipStage(rawValue: try row.decode(column: "stage", as: Int.self)) {
                entry.slips[try row.decode(column: "slip_id", as: String.self)] = stage
            }
            entry.expected = max(entry.expected, try row.decode(column: "slips_in_order", as: Int.self))
            stages[id] = entry
        }
        return stages
    }

    /// The moves that take `order` along the fulfillment path to `target` (none when it is there or
    /// past it, or off the path), and their events in `delivered`'s trace.
    private func advance(
        _ order: Order, to target: OrderStatus, by delivered: Delivered<FulfillmentSlipCreated>, now: Date
    ) throws -> (moves: [(from: Order, to: Order, change: StatusChange)], events: [EventEnvelope]) {
        let path: [OrderStatus] = [.confirmed, .sentToWarehouse, .shipped, .inTransit, .delivered]
        guard var position = path.firstIndex(of: order.status), let end = path.firstIndex(of: target) else {
            return ([], [])
        }
        var order = order
        var moves: [(from: Order, to: Order, change: StatusChange)] = []
        var events: [EventEnvelope] = []
        while position < end {
            position += 1
            let actor = path[position] == .sentToWarehouse ? Self.fulfillmentActor : Self.shippingActor
            let (moved, change) = try order.transition(to: path[position], at: now, by: actor, reason: nil)
            moves.append((order, moved, change))
            events += try delivered.traced {
                try OrderEventMapping.forMove(moved, change).map { try EventEnvelope($0) }
            }
            order = moved
        }
        return (moves, events)
    }
}
