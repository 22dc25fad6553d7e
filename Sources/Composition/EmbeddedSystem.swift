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
/// service, and the in-process event transport. `sprocket serve`, the one-shot commands and the flow
/// tests all build it here, from ``ServiceName``'s list.
public struct EmbeddedSystem: Sendable {
    public let configuration: SystemConfiguration
    public let databases: [ServiceName: Database]
    public let services: [ServiceName: any ServiceModule]
    public let keys: KeyRing
    public let transport: InProcessTransport
    public let logger: Logger

    /// Opens and migrates every service's database, builds the services, prepares them and subscribes
    /// their consumers. If any step fails, what was opened is closed again.
    public static func build(_ configuration: SystemConfiguration, logger: Logger) async throws -> EmbeddedSystem {
        if configuration.databaseURL == nil {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        }
        var databases: [ServiceName: Database] = [:]
        do {
            for name in ServiceName.allCases {
                let database = try await Database.open(
                    configuration.databaseLocation(for: name.rawValue), logger: logger)
                databases[name] = database
                try await database.migrate(name.module, logger: logger)
            }
            let keys = KeyRing(
                logger: logger,
                refresh: ServiceName.allCases.lazy.compactMap { name in
                    databases[name].flatMap { name.module.tokenKeys(in: $0) }
                }.first)
            let transport = InProcessTransport()
            var services: [ServiceName: any ServiceModule] = [:]
            for (name, database) in databases {
                var serviceLogger = logger
                serviceLogger[metadataKey: "service"] = "\(name.rawValue)"
                let context = ServiceContext(
                    database: database, keys: keys, settings: configuration.settings, logger: serviceLogger)
                services[name] = name.module.init(context: context)
            }
            for name in ServiceName.allCases {
                guard let service = services[name] else { continue }
                try await service.prepare()
                for consumer in service.consumers { try await consumer.subscribe(to: transport) }
            }
            return EmbeddedSystem(
                configuration: configuration, databases: databases, services: services, keys: keys,
                transport: transport, logger: logger)
        } catch {
            for database in databases.values { await database.close() }
            throw error
        }
    }

    /// The service `type`, as built here.
    public func service<Module: ServiceModule>(_ type: Module.Type) -> Module? {
        services.values.lazy.compactMap { $0 as? Module }.first
    }

    /// The gateway router: health, docs, and every service's API under `/api/v1`, each request checked
    /// against its service's contract first.
    public func router() throws -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestScopeMiddleware(logger: logger, trustedProxies: configuration.trustedProxies))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BodyLimitMiddleware())
        router.add(middleware: RequestValidationMiddleware(contracts: try Documents.contracts(ServiceName.allCases)))
        HealthRoutes.add(to: router, databases: databases.mapKeys(\.rawValue))
        DocsRoutes.add(to: router, documents: Documents.all)
        for name in ServiceName.allCases { try services[name]?.registerRoutes(on: router) }
        return router
    }

    /// The long-running parts besides the HTTP server: one outbox relay per service database.
    public func backgroundServices() -> [any Service] {
        ServiceName.allCases.compactMap { name in
            databases[name].map { database in
                var relayLogger = logger
                relayLogger[metadataKey: "service"] = "\(name.rawValue)"
                return OutboxRelay(database: database, transport: transport, logger: relayLogger)
            }
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
        let relays = ServiceName.allCases.compactMap { name in
            databases[name].map { OutboxRelay(database: $0, transport: transport, logger: logger) }
        }
        var published = 1
        while published > 0 {
            published = 0
            for relay in relays { published += try await relay.publishPending() }
        }
    }

    /// Runs `body` with the system, closing every database afterwards, whether `body` throws or not.
    public static func with<T>(
        _ configuration: SystemConfiguration, logger: Logger, _ body: (EmbeddedSystem) async throws -> T
    ) async throws -> T {
        let system = try await build(configuration, logger: logger)
        do {
            let result = try await body(system)
            await system.close()
            return result
        } catch {
            await system.close()
            throw error
        }
    }

    /// Closes every database.
    public func close() async {
        for database in databases.values { await database.close() }
    }
}

extension Dictionary {
    func mapKeys<T: Hashable>(_ transform: (Key) -> T) -> [T: Value] {
        Dictionary<T, Value>(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
