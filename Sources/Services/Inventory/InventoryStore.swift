import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The inventory service's tables: warehouses, stock rows, their ledger, reservations, and the catalog's
/// bundle recipes.
///
/// Every change of a stock row happens in one transaction that locks the row (PostgreSQL `FOR UPDATE`;
/// SQLite has one writer), checks the pure rule, writes the row and its ledger entry, and appends the
/// events. The table's CHECK (`0 ≤ reserved ≤ on_hand`) is the last guard.
public struct InventoryStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Creates a warehouse; 409 `inventory.warehouse_exists` when the code is taken.
    public func createWarehouse(_ warehouse: Warehouse) async throws -> Warehouse {
        do {
            return try await database.transaction { db in
                let inserted = try await db.raw(
                    """
                    INSERT INTO warehouses (code, name, country, region, created_at)
                    VALUES (\(bind: warehouse.code), \(bind: warehouse.name), \(bind: warehouse.country),
                            \(bind: warehouse.region), \(bind: warehouse.createdAt.microsecondsSince1970))
                    ON CONFLICT (code) DO NOTHING RETURNING code
                    """
                ).first()
                guard inserted != nil else { throw InventoryProblems.warehouseExists(warehouse.code) }
                return warehouse
            }
        } catch  where Database.isUniqueViolation(error) {
            throw InventoryProblems.warehouseExists(warehouse.code)
        }
    }

    /// Every warehouse, by code.
    public func warehouses() async throws -> [Warehouse] {
        try await database.read { db in
            try await db.raw("SELECT * FROM warehouses ORDER BY code").all().map(InventoryRows.warehouse)
        }
    }

    /// Sets on-hand, bin and reorder point of `sku` in `warehouse` (creating the row); 404 for an
    /// unknown warehouse, 409 below what is reserved or for a kit.
    public func setStock(
        warehouse code: String, sku: String, onHand: Int, bin: String?, reorderPoint: Int?, actor: String,
        now: Date = .storageNow
    ) async throws -> StockLevel {
        guard (0...StockLevel.maxUnits).contains(onHand), (0...StockLevel.maxUnits).contains(reorderPoint ?? 0) else {
            throw Problem.validation([FieldError(field: "onHand", message: "must be 0 to \(StockLevel.maxUnits)")])
        }
        return try await database.transaction { db in
            let (current, created) = try await lockRow(warehouse: code, sku: sku, now: now, in: db)
            try StockLevel.check(
                onHand: onHand, reserved: current.reserved, sku: current.sku, warehouse: current.warehouse)
            var next = current
            next.onHand = onHand
            next.bin = bin
            next.reorderPoint = reorderPoint
            next.updatedAt = now
            try await save(next, in: db)
            try await record(
                next, cause: .set, onHandDelta: onHand - current.onHand, reservedDelta: 0, orderId: nil, reason: nil,
                actor: actor, in: db)
            try await publishChange(next, availableBefore: created ? Int.max : current.available, cause: .set, in: db)
            return next
        }
    }

    /// Adds `delta` on-hand units with a reason; 409 when that leaves less than is reserved. A zero
    /// delta records a count that found nothing to change.
    public func adjust(
        warehouse code: String, sku: String, delta: Int, reason: String, actor: String, now: Date = .storageNow
    ) async throws -> StockLevel {
        try await adjust(warehouse: code, sku: sku, .delta(delta), reason: reason, actor: actor, now: now)
    }

    /// Changes on hand by `change` with a reason: units added or removed, or a count that sets on hand
    /// (the ledger records the difference, found under the row's lock); 409 when that leaves less than is
    /// reserved.
    public func adjust(
        warehouse code: String, sku: String, _ change: OnHandChange, reason: String, actor: String,
        now: Date = .storageNow
    ) async throws -> StockLevel {
        var validator = Validator()
        switch change {
        case .delta(let delta):
            validator.check(
                (-StockLevel.maxUnits...StockLevel.maxUnits).contains(delta), "delta",
                "must be within ±\(StockLevel.maxUnits)")
        case .count(let onHand):
            validator.check((0...StockLevel.maxUnits).contains(onHand), "onHand", "must be 0 to \(StockLevel.maxUnits)")
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check(!reason.isEmpty && reason.count <= 200, "reason", "must be 1 to 200 characters")
        try validator.throwIfInvalid()
        return try await database.transaction { db in
            let (current, _) = try await lockRow(warehouse: code, sku: sku, now: now, in: db)
            let delta = change.delta(from: current.onHand)
            var next = current
            next.onHand = try current.adjusted(by: delta)
            next.updatedAt = now
            try await save(next, in: db)
            try await record(
                next, cause: .adjustment, onHandDelta: delta, reservedDelta: 0, orderId: nil, reason: reason,
                actor: actor, in: db)
            try await publishChange(next, availableBefore: current.available, cause: .adjustment, in: db)
            return next
        }
    }

    /// The stock row's changes, newest first; 404 when the row does not exist.
    public func ledger(warehouse code: String, sku: String, page: PageRequest) async throws -> Page<LedgerEntry> {
        let code = code.uppercased()
        let sku = sku.uppercased()
        return try await database.read { db in
            guard
                try await db.raw("SELECT sku FROM stock WHERE warehouse = \(bind: code) AND sku = \(bind: sku)")
                    .first() != nil
            else { throw InventoryProblems.stockNotFound(code, sku) }
            let after = page.after.first.flatMap(Int.init) ?? Int.max
            let rows = try await db.raw(
                """
                SELECT * FROM stock_ledger WHERE warehouse = \(bind: code) AND sku = \(bind: sku) AND seq < \(bind: after)
                ORDER BY seq DESC LIMIT \(bind: page.limit + 1)
                """
            ).all().map(InventoryRows.ledger)
            return Page(fetched: rows, limit: page.limit) { [String($0.seq)] }
        }
    }

    /// The warehouse's row for `sku`, locked, created empty (and reported so) when missing.
    private func lockRow(
        warehouse code: String, sku: String, now: Date, in db: any SQLDatabase
    ) async throws -> (StockLevel, created: Bool) {
        let code = code.uppercased()
        let sku = sku.uppercased()
        guard try await db.raw("SELECT code FROM warehouses WHERE code = \(bind: code)").first() != nil else {
            throw InventoryProblems.warehouseNotFound(code)
        }
        if let item = try await db.raw("SELECT kind FROM catalog_items WHERE sku = \(bind: sku)").first(),
            try item.decode(column: "kind", as: String.self) == "bundle"
        {
            throw InventoryProblems.bundleHasNoStock(sku)
        }
        let created =
            try await db.raw(
                """
                INSERT INTO stock (warehouse, sku, on_hand, reserved, updated_at)
                VALUES (\(bind: code), \(bind: sku), 0, 0, \(bind: now.microsecondsSince1970))
                ON CONFLICT (warehouse, sku) DO NOTHING RETURNING sku
                """
            ).first() != nil
        guard
            let row = try await db.raw(
                "SELECT * FROM stock WHERE warehouse = \(bind: code) AND sku = \(bind: sku) \(unsafeRaw: database.engine.rowLockClause)"
            ).first()
        else { throw InventoryProblems.stockNotFound(code, sku) }
        return (try InventoryRows.stock(row), created)
    }

    func save(_ stock: StockLevel, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE stock SET on_hand = \(bind: stock.onHand), reserved = \(bind: stock.reserved), bin = \(bind: stock.bin),
                reorder_point = \(bind: stock.reorderPoint), updated_at = \(bind: stock.updatedAt.microsecondsSince1970)
            WHERE warehouse = \(bind: stock.warehouse) AND sku = \(bind: stock.sku)
            """
        ).run()
    }

    /// Appends the row's ledger entry for a change of `onHandDelta` and `reservedDelta`.
    func record(
        _ after: StockLevel, cause: LedgerEntry.Cause, onHandDelta: Int, reservedDelta: Int, orderId: String?,
        reason: String?, actor: String, in db: any SQLDatabase
    ) async throws {
        let change = StockChange(
            after: after, cause: cause, reservedDelta: reservedDelta, orderId: orderId, onHandDelta: onHandDelta,
            reason: reason)
        try await record([change], actor: actor, in: db)
    }

    /// `inventory.stock.changed`, and `inventory.stock.low` when the change crossed the reorder point.
    func publishChange(
        _ stock: StockLevel, availableBefore: Int, cause: LedgerEntry.Cause, in db: any SQLDatabase
    ) async throws {
        try await Outbox.append(
            try events(of: stock, availableBefore: availableBefore, cause: cause), engine: database.engine, in: db)
    }
}
