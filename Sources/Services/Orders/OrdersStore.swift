import Foundation
import IntegrationEvents
import Logging
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The orders service's tables: orders, lines, history, numbers, the catalog and customer replicas.
///
/// Placing and moving run in one transaction each, with their events appended to the outbox in it.
/// Moves use optimistic concurrency on `version`: of two concurrent moves, one wins, the other is 409.
public struct OrdersStore: Sendable {
    public let database: Database
    public let currency: String
    public let taxes: TaxTable
    /// Order numbers taken ahead on PostgreSQL (no hot counter row; gaps allowed, never repeats).
    private let numbers = DocumentNumberBlocks()

    public init(database: Database, currency: String, taxes: TaxTable) {
        self.database = database
        self.currency = currency
        self.taxes = taxes
    }

    /// Validates, prices and stores `draft` for `customerId` with its `order.placed` event, numbered
    /// `SO-YYYY-NNNNNN`.
    ///
    /// With an idempotency key, a second placement by the same customer returns the first order
    /// (the key is unique per customer in the orders table, in the same transaction as the order).
    public func place(
        _ draft: OrderDraft, customerId: String, idempotencyKey: String?, now: Date = .storageNow
    ) async throws -> Order {
        try draft.checkLimits()
        do {
            switch database.engine {
            case .sqlite:
                // One writer at a time: the counter row in the transaction keeps the series gapless.
                return try await database.transaction { db in
                    if let existing = try await existing(customerId, idempotencyKey, in: db) { return existing }
                    var order = try await price(draft, customerId: customerId, now: now, in: db)
                    order.number = try await DocumentNumber.next("SO", counters: "order_numbers", at: now, in: db)
                    for statement in try placement(of: order, idempotencyKey: idempotencyKey) {
                        try await db.raw(statement).run()
                    }
                    return order
                }
            case .postgres:
                // The number from this process's block, the reads in one statement on a connection of their
                // own, then the order, its lines, its history and its event in one statement
                // (``Database/write(_:)``): three round trips where a transaction of statements took eight.
                let number = try await numbers.next("SO", counters: "order_numbers", at: now, database: database)
                let priced = try await database.read { db -> (order: Order, existing: Bool) in
                    if let existing = try await existing(customerId, idempotencyKey, in: db) { return (existing, true) }
                    return (try await price(draft, customerId: customerId, now: now, in: db), false)
                }
                guard !priced.existing else { return priced.order }
                var order = priced.order
                order.number = number
                let statements = try placement(of: order, idempotencyKey: idempotencyKey)
                let last = statements.count - 1
                var combined: SQLQueryString = "WITH "
                for (index, statement) in statements[..<last].enumerated() {
                    combined.appendInterpolation(unsafeRaw: index == 0 ? "" : ", ")
                    combined.appendInterpolation(unsafeRaw: "s\(index) AS (")
                    combined.appendInterpolation(statement)
                    combined.appendInterpolation(unsafeRaw: ")")
                }
                combined.appendInterpolation(unsafeRaw: " ")
                combined.appendInterpolation(statements[last])
                try await database.write(combined)
                return order
            }
        } catch  where idempotencyKey != nil && Database.isUniqueViolation(error) {
            // A concurrent placement with the same key committed first: answer with its order.
            guard let key = idempotencyKey,
                let id = try await database.read({ db in try await orderID(customerId: customerId, key: key, in: db) }),
                let existing = try await order(id)
            else { throw error }
            return existing
        }
    }

    /// The order `customerId` placed before with `idempotencyKey`, if any.
    private func existing(_ customerId: String, _ idempotencyKey: String?, in db: any SQLDatabase) async throws
        -> Order?
    {
        guard let idempotencyKey, let id = try await orderID(customerId: customerId, key: idempotencyKey, in: db) else {
            return nil
        }
        return try await fetch(id, in: db)
    }

    /// `draft` priced from the catalog replica for a known customer, with the address book's defaults
    /// where it names no address; not numbered yet.
    private func price(_ draft: OrderDraft, customerId: String, now: Date, in db: any SQLDatabase) async throws
        -> Order
    {
        let (known, catalog) = try await customerAndCatalog(customerId, draft.skus, in: db)
        guard known else { throw OrderProblems.unknownCustomer }
        let defaults =
            draft.shippingAddress == nil || draft.billingAddress == nil
            ? try await defaultAddresses(of: customerId, in: db) : DefaultAddresses()
        return try draft.priced(
            id: UUIDv7.make(at: now), number: "", customerId: customerId, catalog: catalog, taxes: taxes,
            currency: currency, defaults: defaults, now: now)
    }

    /// The statements that store a placed `order`: the order, its lines, its first history entry and its
    /// `order.placed` event.
    private func placement(of order: Order, idempotencyKey: String?) throws -> [SQLQueryString] {
        let change = StatusChange(
            from: nil, to: .pendingConfirmation, at: order.createdAt, actor: order.customerId, reason: nil)
        return try insertion(of: order, idempotencyKey: idempotencyKey) + [
            """
            INSERT INTO order_history (order_id, seq, from_status, to_status, at, actor, reason)
            VALUES (\(bind: order.id), 1, NULL, \(bind: change.to.rawValue), \(bind: change.at.microsecondsSince1970),
                \(bind: change.actor), NULL)
            """,
            Outbox.insertion(of: try EventEnvelope(OrderPlaced(order: OrderEventMapping.snapshot(order)))),
        ]
    }

    /// Moves order `id` with the pure transition, records history and publishes the move.
    ///
    /// `authorize` sees the current order first and may refuse (ownership, role rules). Confirming
    /// needs the reservation inventory made (409 `order.not_reserved` before it arrives).
    public func move(
        _ id: String, to status: OrderStatus, actor: String, reason: String?, now: Date = .storageNow,
        authorize: (Order) throws -> Void = { _ in }
    ) async throws -> Order {
        try await database.transaction { db in
            guard let current = try await fetchIfExists(id, in: db) else { throw OrderProblems.notFound(id) }
            try authorize(current)
            return try await move(current, to: status, actor: actor, reason: reason, now: now, in: db)
        }
    }

    /// ``move(_:to:actor:reason:now:authorize:)`` of `current` inside the transaction `db`.
    func move(
        _ current: Order, to status: OrderStatus, actor: String, reason: String?, now: Date, in db: any SQLDatabase
    ) async throws -> Order {
        let (moved, change) = try current.transition(to: status, at: now, by: actor, reason: reason)
        if status == .cancelled, try await hasShipped(current.id, in: db) {
            throw OrderProblems.alreadyShipped(current.id)
        }
        var allocations: [StockAllocation]?
        if status == .confirmed {
            guard let reserved = try await reservation(current.id, in: db) else {
                throw OrderProblems.notReserved(current.id)
            }
            allocations = reserved
        }
        try await store([(current, moved, change)], now: now, in: db)
        let events = try OrderEventMapping.forMove(moved, change, allocations: allocations).map {
            try EventEnvelope($0)
        }
        try await Outbox.append(events, engine: database.engine, in: db)
        OrderFlowMetrics.reached(moved.status.rawValue, placedAt: moved.createdAt, now: now)
        return moved
    }

    /// The order `id`, or `nil`.
    public func order(_ id: String) async throws -> Order? {
        try await database.read { db in try await fetchIfExists(id, in: db) }
    }

    /// Every recorded move of order `id`, oldest first.
    public func history(_ id: String) async throws -> [StatusChange] {
        try await database.read { db in
            try await db.raw(
                "SELECT * FROM order_history WHERE order_id = \(bind: id) ORDER BY seq"
            ).all().map { row in
                StatusChange(
                    from: try row.decode(optionalEnum: "from_status", as: OrderStatus.self),
                    to: try row.decode(enum: "to_status", as: OrderStatus.self),
                    at: Date(microsecondsSince1970: try row.decode(column: "at", as: Int64.self)),
                    actor: try row.decode(column: "actor", as: String.self),
                    reason: try row.decode(column: "reason", as: String?.self)
                )
            }
        }
    }

    private func orderID(customerId: String, key: String, in db: any SQLDatabase) async throws -> String? {
        try await db.raw(
            "SELECT id FROM orders WHERE customer_id = \(bind: customerId) AND idempotency_key = \(bind: key)"
        ).first()?.decode(column: "id", as: String.self)
    }

    /// The default addresses of customer `id`'s address book, as the last `customer.addresses.changed` said.
    func defaultAddresses(of id: String, in db: any SQLDatabase) async throws -> DefaultAddresses {
        guard
            let row = try await db.raw(
                "SELECT shipping, billing FROM customer_addresses WHERE customer_id = \(bind: id)"
            )
            .first()
        else { return DefaultAddresses() }
        func address(_ column: String) throws -> Address? {
            try row.decode(column: column, as: String?.self).map {
                try EventCoding.decode(Address.self, from: Data($0.utf8))
            }
        }
        return DefaultAddresses(shipping: try address("shipping"), billing: try address("billing"))
    }

    /// Whether customer `customerId` is known, and the catalog entries of `skus`: the customer and the
    /// first 100 SKUs with one statement (a placement's reads in one round trip), the rest 100 at a time.
    private func customerAndCatalog(_ customerId: String, _ skus: [String], in db: any SQLDatabase) async throws
        -> (known: Bool, entries: [String: CatalogEntry])
    {
        var known = false
        var entries: [String: CatalogEntry] = [:]
        let chunks = stride(from: 0, to: max(skus.count, 1), by: 100).map {
            Array(skus[$0..<min($0 + 100, skus.count)])
        }
        for (index, chunk) in chunks.enumerated() {
            let rows: [any SQLRow]
            if index == 0 {
                // One row at least (the customer's count), with the parts that matched, if any.
                rows = try await db.raw(
                    """
                    SELECT k.known, c.* FROM
                        (SELECT COUNT(*) AS known FROM customer_replica WHERE customer_id = \(bind: customerId)) k
                    LEFT JOIN catalog_replica c ON c.sku IN (\(binds: chunk.isEmpty ? [""] : chunk))
                    """
                ).all()
                known = (try rows.first?.decode(column: "known", as: Int.self) ?? 0) > 0
            } else {
                rows = try await db.raw("SELECT * FROM catalog_replica WHERE sku IN (\(binds: chunk))").all()
            }
            for row in rows {
                guard let sku = try row.decode(column: "sku", as: String?.self) else { continue }
                entries[sku] = CatalogEntry(
                    sku: sku,
                    name: try row.decode(column: "name", as: String.self),
                    price: Money(
                        minorUnits: try row.decode(column: "price_minor", as: Int64.self),
                        currency: try row.decode(column: "currency", as: String.self)
                    ),
                    active: try row.decode(column: "active", as: Int.self) == 1,
                    version: try row.decode(column: "version", as: Int.self)
                )
            }
        }
        for (sku, entry) in entries where !entry.active {
            entries[sku]?.replacement = try await replacement(of: sku, in: db)
        }
        return (known, entries)
    }

    /// The newest active part of the supersession chain that starts at `sku` (at most 32 steps), if any.
    private func replacement(of sku: String, in db: any SQLDatabase) async throws -> String? {
        var chain: [String] = []
        var current = sku
        while chain.count < 32,
            let next = try await db.raw("SELECT superseded_by FROM catalog_supersessions WHERE sku = \(bind: current)")
                .first().map({ try $0.decode(column: "superseded_by", as: String.self) }),
            next != sku, !chain.contains(next)
        {
            chain.append(next)
            current = next
        }
        guard !chain.isEmpty else { return nil }
        let active = Set(
            try await db.raw("SELECT sku FROM catalog_replica WHERE sku IN (\(binds: chain)) AND active = 1").all()
                .map { try $0.decode(column: "sku", as: String.self) })
        return chain.last(where: active.contains)
    }
}
