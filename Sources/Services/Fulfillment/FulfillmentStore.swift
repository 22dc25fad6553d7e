import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The fulfillment service's tables: packing slips and their lines, the slip numbers, the part names it
/// prints, and the orders cancelled before their slips were made.
///
/// Slips are created in the consumer's transaction of `order.confirmed` (one per warehouse of the
/// allocation, numbered there: no duplicates; on SQLite no gaps, on PostgreSQL from blocks taken ahead)
/// and voided in that of `order.cancelled`.
public struct FulfillmentStore: Sendable {
    public let database: Database
    let slipNumbers = DocumentNumberBlocks()

    public init(database: Database) {
        self.database = database
    }

    static let actor = "fulfillment"

    /// Voids the order's slips that have not shipped; remembers the order, so a late `order.confirmed`
    /// makes none.
    func voidSlips(ofOrder orderId: String, now: Date = .storageNow, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO cancelled_orders (order_id, at) VALUES (\(bind: orderId), \(bind: now.microsecondsSince1970))
            ON CONFLICT (order_id) DO NOTHING
            """
        ).run()
        let open = try await db.raw(
            "SELECT * FROM packing_slips WHERE order_id = \(bind: orderId) AND status IN ('open', 'packed') ORDER BY id"
        ).all()
        for row in open {
            var slip = try await FulfillmentRows.slip(row, in: db)
            slip.status = .voided
            slip.updatedAt = now
            try await setStatus(slip, from: [.open, .packed], in: db)
            let count = try row.decode(column: "slips_in_order", as: Int.self)
            try await Outbox.append(
                FulfillmentSlipVoided(slip: Self.snapshot(slip, slipsInOrder: count), at: now), in: db)
        }
    }

    /// Marks slip `id` packed; 404 when unknown, 409 unless it is open.
    public func pack(_ id: String, actor: String, now: Date = .storageNow) async throws -> PackingSlip {
        try await database.transaction { db in
            guard let row = try await db.raw("SELECT * FROM packing_slips WHERE id = \(bind: id)").first() else {
                throw FulfillmentProblems.notFound(id)
            }
            var slip = try await FulfillmentRows.slip(row, in: db)
            try slip.pack(at: now)
            try await setStatus(slip, from: [.open], in: db)
            let count = try row.decode(column: "slips_in_order", as: Int.self)
            try await Outbox.append(
                FulfillmentSlipPacked(slip: Self.snapshot(slip, slipsInOrder: count), actor: actor, at: now), in: db)
            return slip
        }
    }

    /// Marks the slip a shipment took as shipped (from packed, or from voided when a cancellation crossed
    /// the parcel on its way out: it left all the same).
    func markShipped(_ shipment: ShipmentSnapshot, now: Date = .storageNow, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE packing_slips SET status = 'shipped', updated_at = \(bind: now.microsecondsSince1970)
            WHERE id = \(bind: shipment.slipId) AND status IN ('packed', 'voided')
            """
        ).run()
    }

    /// Keeps the names slips print, at the newest catalog version seen.
    func apply(_ event: CatalogPartUpserted, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO part_names (sku, name, version)
            VALUES (\(bind: event.sku.uppercased()), \(bind: event.name), \(bind: event.version))
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, version = excluded.version
            WHERE part_names.version < excluded.version
            """
        ).run()
    }

    /// ``apply(_:in:)`` for an import's batch of parts, in one statement.
    func apply(_ batch: CatalogPartsUpserted, in db: any SQLDatabase) async throws {
        var rows = JSONRows(columns: [("sku", "TEXT"), ("name", "TEXT"), ("version", "BIGINT")])
        for part in batch.parts {
            rows.append([.text(part.sku.uppercased()), .text(part.name), .integer(Int64(part.version))])
        }
        try await db.raw(
            """
            INSERT INTO part_names (sku, name, version)
            SELECT v.sku, v.name, v.version FROM \(rows.source(database.engine, alias: "v")) WHERE true
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, version = excluded.version
            WHERE part_names.version < excluded.version
            """
        ).run()
    }

    static func snapshot(_ slip: PackingSlip, slipsInOrder: Int) -> SlipSnapshot {
        SlipSnapshot(
            slipId: slip.id, number: slip.number, orderId: slip.orderId, orderNumber: slip.orderNumber,
            customerId: slip.customerId, warehouse: slip.warehouse, status: slip.status.rawValue,
            slipsInOrder: slipsInOrder,
            items: slip.lines.filter { $0.kind != .kit }.map {
                StockAllocation(
                    warehouse: slip.warehouse, sku: $0.sku, quantity: $0.quantity, bin: $0.bin, bundleSku: $0.kit)
            })
    }

    private func setStatus(_ slip: PackingSlip, from allowed: [SlipStatus], in db: any SQLDatabase) async throws {
        let updated = try await db.raw(
            """
            UPDATE packing_slips SET status = \(bind: slip.status.rawValue), updated_at = \(bind: slip.updatedAt.microsecondsSince1970)
            WHERE id = \(bind: slip.id) AND status IN (\(binds: allowed.map(\.rawValue))) RETURNING id
            """
        ).first()
        guard updated != nil else {
            throw Problem.conflict(
                "fulfillment.concurrent_update", "The slip changed at the same time; read it and try again.")
        }
    }

    func partNames(_ skus: Set<String>, in db: any SQLDatabase) async throws -> [String: String] {
        guard !skus.isEmpty else { return [:] }
        var names: [String: String] = [:]
        for row in try await db.raw("SELECT sku, name FROM part_names WHERE sku IN (\(binds: skus.sorted()))").all() {
            names[try row.decode(column: "sku", as: String.self)] = try row.decode(column: "name", as: String.self)
        }
        return names
    }
}
