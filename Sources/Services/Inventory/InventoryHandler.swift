import Foundation
import InventoryAPI
import ServiceKit
import Storage

/// The inventory service's HTTP API: maps generated types to the store and back, and checks roles
/// (admin creates warehouses and sets stock; staff and admin adjust and read the ledger; availability
/// is public, with the per-warehouse detail for staff and admin).
struct InventoryHandler: APIProtocol, ContractHandler {
    let store: InventoryStore
    let authenticator: Authenticator

    func createWarehouse(_ input: Operations.CreateWarehouse.Input) async throws -> Operations.CreateWarehouse.Output {
        _ = try await authenticator.require(.admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the warehouse as JSON.") }
        let warehouse = try Warehouse.create(
            code: body.code, name: body.name, country: body.country.rawValue, region: body.region, now: .storageNow)
        let created = try await store.createWarehouse(warehouse)
        let isDefault = Warehouse.defaultCode(of: try await store.warehouses()) == created.code
        return .created(.init(body: .json(Self.map(created, isDefault: isDefault))))
    }

    func listWarehouses(_ input: Operations.ListWarehouses.Input) async throws -> Operations.ListWarehouses.Output {
        _ = try await authenticator.require(.staff, .admin)
        let warehouses = try await store.warehouses()
        let defaultCode = Warehouse.defaultCode(of: warehouses)
        return .ok(.init(body: .json(.init(items: warehouses.map { Self.map($0, isDefault: $0.code == defaultCode) }))))
    }

    func listStock(_ input: Operations.ListStock.Input) async throws -> Operations.ListStock.Output {
        _ = try await authenticator.require(.staff, .admin)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor, keyCount: 1)
        let result = try await store.stock(
            warehouse: input.path.code, skuPrefix: input.query.sku, low: input.query.low ?? false, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Self.map), nextCursor: result.nextCursor))))
    }

    func listReservations(_ input: Operations.ListReservations.Input) async throws
        -> Operations.ListReservations.Output
    {
        _ = try await authenticator.require(.staff, .admin)
        var validator = Validator()
        validator.check(input.query.orderId.count <= 64, "orderId", "must be at most 64 characters")
        try validator.throwIfInvalid()
        let lines = try await store.reservations(of: input.query.orderId)
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: lines.map { line in
                            .init(
                                warehouse: line.warehouse, sku: line.sku, quantity: line.quantity, bin: line.bin,
                                bundleSku: line.bundleSku,
                                status: .init(rawValue: line.status) ?? .open, updatedAt: line.updatedAt)
                        }))))
    }

    func setStock(_ input: Operations.SetStock.Input) async throws -> Operations.SetStock.Output {
        let principal = try await authenticator.require(.admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the stock as JSON.") }
        let stock = try await store.setStock(
            warehouse: input.path.code, sku: input.path.sku, onHand: body.onHand, bin: body.bin,
            reorderPoint: body.reorderPoint, actor: principal.subject)
        return .ok(.init(body: .json(Self.map(stock))))
    }

    func adjustStock(_ input: Operations.AdjustStock.Input) async throws -> Operations.AdjustStock.Output {
        let principal = try await authenticator.require(.staff, .admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the adjustment as JSON.") }
        let stock = try await store.adjust(
            warehouse: input.path.code, sku: input.path.sku, .delta(body.delta), reason: body.reason,
            actor: principal.subject)
        return .ok(.init(body: .json(Self.map(stock))))
    }

    func countStock(_ input: Operations.CountStock.Input) async throws -> Operations.CountStock.Output {
        let principal = try await authenticator.require(.staff, .admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the count as JSON.") }
        let stock = try await store.adjust(
            warehouse: input.path.code, sku: input.path.sku, .count(body.onHand), reason: body.reason,
            actor: principal.subject)
        return .ok(.init(body: .json(Self.map(stock))))
    }

    func getStockLedger(_ input: Operations.GetStockLedger.Input) async throws -> Operations.GetStockLedger.Output {
        _ = try await authenticator.require(.staff, .admin)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor, keyCount: 1)
        let result = try await store.ledger(warehouse: input.path.code, sku: input.path.sku, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Self.map), nextCursor: result.nextCursor))))
    }

    func getAvailability(_ input: Operations.GetAvailability.Input) async throws -> Operations.GetAvailability.Output {
        let staff = await authenticator.optionalPrincipal()?.isStaff ?? false
        guard let availability = try await store.availability(input.path.sku) else {
            throw InventoryProblems.skuNotFound(input.path.sku.uppercased())
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        sku: availability.sku, kind: availability.isBundle ? .bundle : .part,
                        available: availability.available,
                        warehouses: staff ? availability.warehouses.map(Self.map) : nil))))
    }

    func listAvailability(_ input: Operations.ListAvailability.Input) async throws -> Operations.ListAvailability.Output
    {
        let staff = await authenticator.optionalPrincipal()?.isStaff ?? false
        var seen: Set<String> = []
        var items: [Components.Schemas.Availability] = []
        for sku in input.query.skus.split(separator: ",").map({ $0.uppercased() }) where seen.insert(sku).inserted {
            guard let availability = try await store.availability(sku) else { continue }
            items.append(
                .init(
                    sku: availability.sku, kind: availability.isBundle ? .bundle : .part,
                    available: availability.available, warehouses: staff ? availability.warehouses.map(Self.map) : nil))
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    static func map(_ warehouse: Warehouse, isDefault: Bool) -> Components.Schemas.Warehouse {
        .init(
            code: warehouse.code, _default: isDefault, name: warehouse.name, country: warehouse.country,
            region: warehouse.region, createdAt: warehouse.createdAt)
    }

    static func map(_ cause: LedgerEntry.Cause) -> Components.Schemas.LedgerEntry.CausePayload {
        switch cause {
        case .set: .set
        case .adjustment: .adjustment
        case .reserve: .reserve
        case .release: .release
        case .commit: .commit
        }
    }

    static func map(_ stock: StockLevel) -> Components.Schemas.StockRow {
        .init(
            warehouse: stock.warehouse, sku: stock.sku, onHand: stock.onHand, reserved: stock.reserved,
            available: stock.available, bin: stock.bin, reorderPoint: stock.reorderPoint, updatedAt: stock.updatedAt)
    }

    static func map(_ entry: LedgerEntry) -> Components.Schemas.LedgerEntry {
        .init(
            seq: entry.seq, warehouse: entry.warehouse, sku: entry.sku,
            cause: map(entry.cause),
            onHandDelta: entry.onHandDelta, reservedDelta: entry.reservedDelta, onHandAfter: entry.onHandAfter,
            reservedAfter: entry.reservedAfter, orderId: entry.orderId, reason: entry.reason, actor: entry.actor,
            at: entry.at)
    }

    static func map(_ at: Availability.AtWarehouse) -> Components.Schemas.WarehouseAvailability {
        .init(
            warehouse: at.warehouse, country: at.country, available: at.available, onHand: at.stock?.onHand,
            reserved: at.stock?.reserved, bin: at.stock?.bin, reorderPoint: at.stock?.reorderPoint)
    }
}
