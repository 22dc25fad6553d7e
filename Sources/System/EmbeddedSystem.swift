import Catalog
import Customers
import Foundation
import Hummingbird
import Logging
import Messaging
import Orders
import ServiceKit
import ServiceLifecycle
import Storage

/// Every service in one process: one listener (the gateway) mounting all routers, a database per
/// service, and the in-process event transport. `sprocket serve` and the flow tests both build it here.
public struct EmbeddedSystem: Sendable {
    public let configuration: SystemConfiguration
    public let databases: [String: Database]
    public let keys: KeyRing
    public let transport: InProcessTransport
    public let catalog: CatalogService
    public let customers: CustomersService
    public let orders: OrdersService
    public let logger: Logger

    /// Opens and migrates every service's database and prepares the signing keys.
    public static func build(_ configuration: SystemConfiguration, logger: Logger) async throws -> EmbeddedSystem {
        if configuration.databaseURL == nil {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        }
        var databases: [String: Database] = [:]
        for service in [CatalogService.name, CustomersService.name, OrdersService.name] {
            databases[service] = try await Database.open(configuration.databaseLocation(for: service), logger: logger)
        }
        guard let catalogDatabase = databases[CatalogService.name],
            let customersDatabase = databases[CustomersService.name],
            let ordersDatabase = databases[OrdersService.name]
        else { throw DatabaseError.closed }
        let keys = KeyRing()
        let authenticator = Authenticator(keys: keys)
        let catalog = CatalogService(
            database: catalogDatabase, authenticator: authenticator, currency: configuration.currency)
        let customers = CustomersService(
            database: customersDatabase, keys: keys, hasher: PasswordHasher(cost: configuration.bcryptCost),
            tokenLifetime: configuration.tokenLifetime
        )
        let orders = OrdersService(
            database: ordersDatabase, authenticator: authenticator, currency: configuration.currency,
            taxes: configuration.taxes, logger: logger
        )
        try await catalog.store.migrate(logger: logger)
        try await customers.identity.store.migrate(logger: logger)
        try await orders.store.migrate(logger: logger)
        try await customers.identity.prepareKeys()
        let transport = InProcessTransport()
        try await orders.consumer.subscribe(to: transport)
        return EmbeddedSystem(
            configuration: configuration, databases: databases, keys: keys, transport: transport,
            catalog: catalog, customers: customers, orders: orders, logger: logger
        )
    }

    /// The gateway router: health, docs, and every service's API under `/api/v1`.
    public func router() throws -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestScopeMiddleware(logger: logger))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BodyLimitMiddleware())
        router.add(
            middleware: RequestValidationMiddleware(
                contracts: try Documents.all.values.map { try OpenAPIContract(yaml: $0) }))
        HealthRoutes.add(to: router, databases: databases)
        DocsRoutes.add(to: router, documents: Documents.all)
        try customers.registerRoutes(on: router)
        try catalog.registerRoutes(on: router)
        try orders.registerRoutes(on: router)
        return router
    }

    /// The long-running parts besides the HTTP server: one outbox relay per service database.
    public func backgroundServices() -> [any Service] {
        databases.sorted { $0.key < $1.key }.map { name, database in
            var relayLogger = logger
            relayLogger[metadataKey: "service"] = "\(name)"
            return OutboxRelay(database: database, transport: transport, logger: relayLogger)
        }
    }

    /// The HTTP application with the relays in its service group.
    public func application() throws -> some ApplicationProtocol {
        Application(
            router: try router(),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "sprocket"),
            services: backgroundServices(),
            logger: logger
        )
    }

    /// Publishes every committed event now, service by service, until no outbox has pending rows
    /// (for commands and tests that run without the background relays).
    public func publishPendingEvents() async throws {
        let relays = databases.sorted { $0.key < $1.key }.map {
            OutboxRelay(database: $0.value, transport: transport, logger: logger)
        }
        var published = 1
        while published > 0 {
            published = 0
            for relay in relays { published += try await relay.publishPending() }
        }
    }

    /// Closes every database.
    public func close() async {
        for database in databases.values { await database.close() }
    }
}
