import Foundation
import Hummingbird
import IntegrationEvents
import Logging
import Messaging
import OpenAPIHummingbird
import OpenAPIRuntime
import OrdersAPI
import ServiceKit
import Storage

/// The orders service as a module: store, replica consumer, routes, contract and schema.
public struct OrdersService: ServiceModule {
    /// A larger share of an embedded process's database cache than the smaller services'.
    public static var storageWeight: Int { 2 }

    public static let name = "orders"
    public static var openAPIDocument: String { OrdersSpec.yaml }
    public static var contractGeneratedFrom: String { OrdersSpec.generatedFrom }
    public static var migrations: [Migration] { OrdersMigrations.all }

    /// Every stored order's `order.placed` is in the outbox and was published, and inventory decided it.
    /// Retention deletes published outbox rows after their window: orders placed before it (less a minute,
    /// for the sweep's pace) are not asked for theirs; only published rows are ever deleted.
    public static func reconcile(_ database: Database) async throws -> [String] {
        let since = Date().microsecondsSince1970 - database.retention.outbox.microseconds + 60_000_000
        return try await database.read { db in
            // Two counts rather than a correlated NOT EXISTS: the outbox has no index on subject.
            let orders =
                try await db.raw("SELECT COUNT(*) AS n FROM orders WHERE created_at >= \(bind: since)").first()?
                .decode(column: "n", as: Int.self) ?? 0
            let published =
                try await db.raw(
                    """
                    SELECT COUNT(DISTINCT subject) AS n FROM outbox WHERE type = \(bind: OrderPlaced.type)
                    AND \(unsafeRaw: Outbox.published(database.engine))
                    AND subject IN (SELECT id FROM orders WHERE created_at >= \(bind: since))
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            let missing = orders - published
            // Inventory decides every order: reserved ones carry a reservation, rejected ones are cancelled.
            let undecided =
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM orders o WHERE o.status = 'pending_confirmation'
                    AND NOT EXISTS (SELECT 1 FROM order_reservations r WHERE r.order_id = o.id)
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            return (missing == 0 ? [] : ["\(missing) orders whose order.placed was not published"])
                + (undecided == 0 ? [] : ["\(undecided) orders inventory has not decided yet"])
        }
    }

    public let store: OrdersStore
    /// Keeps the catalog and customer replicas current; moves orders on inventory's decisions.
    public let consumer: EventConsumer
    private let authenticator: Authenticator

    public static var options: [ServiceOption] { [taxRates, autoConfirm] }

    /// Tax rates by billing country in percent, added to the EU default table, e.g. `GB=20,CH=8.1`.
    public static let taxRates = ServiceOption(
        "tax-rates", default: "",
        help: "Tax rates by billing country in percent, added to the EU default table, e.g. GB=20,CH=8.1.",
        problem: {
            TaxTable(overrides: $0) == nil ? "must look like DE=19,GB=20 (ISO country codes, percent 0-100)" : nil
        })
    /// Whether an order moves to `confirmed` by itself once inventory reserved it; when `false`, staff
    /// confirm by hand (and still only a reserved order).
    public static let autoConfirm = ServiceOption(
        "auto-confirm", default: "true",
        help:
            "Orders confirm themselves once inventory reserved their stock (true), or wait for staff to confirm them (false).",
        problem: ServiceOption.boolean)

    public init(context: ServiceContext) {
        self.store = OrdersStore(
            database: context.database, currency: context.settings.currency,
            taxes: TaxTable(overrides: context.settings.option(Self.taxRates)) ?? TaxTable())
        self.consumer = OrdersConsumer.make(
            store: store, autoConfirm: context.settings.option(Self.autoConfirm) == "true", logger: context.logger)
        self.authenticator = context.authenticator
    }

    public var consumers: [EventConsumer] { [consumer] }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        try Self.mount(
            OrdersHandler(store: store, authenticator: authenticator), on: router, database: store.database,
            authenticator: authenticator)
    }
}
