import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// Packing slips made for confirmed orders, a batch of confirmations at a time.
extension FulfillmentStore {
    /// Creates each order's slips (one per warehouse of its allocation), once, in the consumer's
    /// transaction `db`: nothing for an order cancelled first, one that has slips already, or one
    /// without an allocation. The batch costs the same few statements whatever its size.
    func createSlips(for confirmations: [Delivered<OrderConfirmed>], now: Date = .storageNow, in db: any SQLDatabase)
        async throws
    {
        let candidates = confirmations.filter { !($0.event.allocations ?? []).isEmpty }
        let orders = try await candidates.unhandled(
            by: \.order.orderId,
            handled: { ids in
                """
                SELECT order_id AS id FROM cancelled_orders WHERE order_id IN (\(binds: ids))
                UNION SELECT order_id FROM packing_slips WHERE order_id IN (\(binds: ids))
                """
            }, in: db)
        guard !orders.isEmpty else { return }
        let allocations = orders.flatMap { $0.event.allocations ?? [] }
        let names = try await partNames(Set(allocations.map(\.sku) + allocations.compactMap(\.bundleSku)), in: db)
        let plans = orders.map {
            SlipPlan.lines(for: $0.event.allocations ?? [], order: $0.event.order.lines, names: names)
        }
        var numbers = try await slipNumbers(plans.reduce(0) { $0 + $1.count }, now: now, in: db).makeIterator()
        var slips: [(slip: PackingSlip, slipsInOrder: Int)] = []
        var events: [EventEnvelope] = []
        for (confirmation, plan) in zip(orders, plans) {
            let order = confirmation.event.order
            for warehouse in plan.keys.sorted() {
                guard let number = numbers.next() else { break }
                let slip = PackingSlip(
                    id: UUIDv7.make(at: now), number: number, orderId: order.orderId, orderNumber: order.number,
                    customerId: order.customerId, warehouse: warehouse, status: .open, shipTo: order.shippingAddress,
                    lines: plan[warehouse] ?? [], createdAt: now, updatedAt: now)
                slips.append((slip, plan.count))
                events += try confirmation.traced {
                    [
                        try EventEnvelope(
                            FulfillmentSlipCreated(slip: Self.snapshot(slip, slipsInOrder: plan.count), at: now))
                    ]
                }
            }
            OrderFlowMetrics.reached("slip", placedAt: order.createdAt, now: now)
        }
        try await insert(slips, in: db)
        try await Outbox.append(events, engine: database.engine, in: db)
    }

    /// `count` slip numbers: on PostgreSQL from this process's blocks (no lock held on the counter row
    /// until commit); on SQLite (one writer at a time) from the counter row, gapless.
    private func slipNumbers(_ count: Int, now: Date, in db: any SQLDatabase) async throws -> [String] {
        guard database.engine == .postgres else {
            return try await DocumentNumber.next(count, of: "PS", counters: "slip_numbers", at: now, in: db)
        }
        var numbers: [String] = []
        for _ in 0..<count {
            numbers.append(
                try await slipNumbers.next("PS", counters: "slip_numbers", at: now, in: db, database: database))
        }
        return numbers
    }

    /// Inserts `slips` and their lines, with one statement each.
    private func insert(_ slips: [(slip: PackingSlip, slipsInOrder: Int)], in db: any SQLDatabase) async throws {
        guard !slips.isEmpty else { return }
        var heads = JSONRows(columns: [
            ("o", "BIGINT"), ("id", "TEXT"), ("number", "TEXT"), ("order_id", "TEXT"), ("order_number", "TEXT"),
            ("customer_id", "TEXT"), ("warehouse", "TEXT"), ("status", "TEXT"), ("ship_to", "TEXT"),
            ("slips_in_order", "BIGINT"), ("created_at", "BIGINT"), ("updated_at", "BIGINT"),
        ])
        var lines = JSONRows(columns: [
            ("slip_id", "TEXT"), ("position", "BIGINT"), ("kind", "TEXT"), ("sku", "TEXT"), ("name", "TEXT"),
            ("quantity", "BIGINT"), ("bin", "TEXT"), ("kit", "TEXT"),
        ])
        for (index, (slip, slipsInOrder)) in slips.enumerated() {
            heads.append([
                .integer(Int64(index)), .text(slip.id), .text(slip.number), .text(slip.orderId),
                .text(slip.orderNumber), .text(slip.customerId), .text(slip.warehouse), .text(slip.status.rawValue),
                .text(String(decoding: try EventCoding.encode(slip.shipTo), as: UTF8.self)),
                .integer(Int64(slipsInOrder)), .integer(slip.createdAt.microsecondsSince1970),
                .integer(slip.updatedAt.microsecondsSince1970),
            ])
            for (position, line) in slip.lines.enumerated() {
                lines.append([
                    .text(slip.id), .integer(Int64(position)), .text(line.kind.rawValue), .text(line.sku),
                    .text(line.name), .integer(Int64(line.quantity)), .text(line.bin), .text(line.kit),
                ])
            }
        }
        try await db.raw(
            """
            INSERT INTO packing_slips (id, number, order_id, order_number, customer_id, warehouse, status, ship_to,
                slips_in_order, created_at, updated_at)
            SELECT v.id, v.number, v.order_id, v.order_number, v.customer_id, v.warehouse, v.status, v.ship_to,
                v.slips_in_order, v.created_at, v.updated_at
            FROM \(heads.source(database.engine, alias: "v")) ORDER BY v.o
            """
        ).run()
        guard lines.count > 0 else { return }
        try await db.raw(
            """
            INSERT INTO slip_lines (slip_id, position, kind, sku, name, quantity, bin, kit)
            SELECT v.slip_id, v.position, v.kind, v.sku, v.name, v.quantity, v.bin, v.kit
            FROM \(lines.source(database.engine, alias: "v"))
            """
        ).run()
    }
}
