import BackOffice
import Catalog
import Customers
import Foundation
import GraphQLGateway
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
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
    /// The orders whose status changes, for GraphQL's `orderUpdated` subscriptions.
    public let orderChanges: OrderChangeFeed
    public let logger: Logger

    /// Who runs the databases: the system itself (commands, tests) or `serve`'s service group.
    public let runner: Database.Runner
    /// Opens when ``start()`` is done; the group's relays wait for it.
    public let started = StartGate()
    /// The relays' progress, for `/health/ready` and stall warnings.
    public let loops: LoopMonitor
    /// What the clients hold now, checked against ``SystemConfiguration/limits``.
    public var connections: ConnectionLedger { limits.connections }
    public var inFlight: InFlightCounter { limits.inFlight }
    let limits: ProcessLimits
    /// The GraphQL subscriptions and per-client budgets, shared by HTTP and WebSocket.
    public let graphQLClients: GraphQLClients

    /// Opens every service's database, builds the services and subscribes their consumers. With
    /// `.ownTask` (commands, tests) it also ``start()``s the system; with `.serviceGroup` (`serve`) the
    /// application does that before it accepts requests. If any step fails, what was opened is closed.
    public static func build(
        _ configuration: SystemConfiguration, logger: Logger, runner: Database.Runner = .ownTask
    ) async throws -> EmbeddedSystem {
        if configuration.databaseURL == nil {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        }
        var databases: [ServiceName: Database] = [:]
        do {
            for name in ServiceName.allCases {
                databases[name] = try await Database.open(
                    configuration.databaseLocation(for: name.rawValue), logger: logger, runner: runner,
                    cacheBytes: configuration.cacheBytes(for: name, alone: false), retention: configuration.retention)
            }
            let keys = KeyRing(
                logger: logger,
                refresh: ServiceName.allCases.lazy.compactMap { name in
                    databases[name].flatMap { name.module.tokenKeys(in: $0) }
                }.first)
            let transport = InProcessTransport()
            let orderChanges = OrderChangeFeed()
            try await transport.subscribe(consumer: "graphql-subscriptions", types: OrderChangeFeed.eventTypes) {
                envelope in
                if let order = envelope.subject { orderChanges.orderChanged(order) }
            }
            // Accounts disabled by another process on these databases (`sprocket users disable`).
            try await transport.subscribe(consumer: "token-revocations", types: Revocations.eventTypes) { envelope in
                Revocations.apply(envelope, to: keys)
            }
            var services: [ServiceName: any ServiceModule] = [:]
            for name in ServiceName.allCases {
                guard let database = databases[name] else { continue }
                var serviceLogger = logger
                serviceLogger[metadataKey: "service"] = "\(name.rawValue)"
                let context = ServiceContext(
                    database: database, keys: keys, settings: configuration.settings, logger: serviceLogger)
                let service = name.module.init(context: context)
                for consumer in service.consumers { try await consumer.subscribe(to: transport) }
                services[name] = service
            }
            let system = EmbeddedSystem(
                configuration: configuration, databases: databases, services: services, keys: keys,
                transport: transport, orderChanges: orderChanges, logger: logger, runner: runner,
                loops: LoopMonitor(stallAfter: configuration.stallAfter, logger: logger),
                limits: ProcessLimits(configuration),
                graphQLClients: GraphQLClients(limits: configuration.graphQLLimits))
            if runner == .ownTask { try await system.start() }
            return system
        } catch {
            for database in databases.values { await database.close() }
            throw error
        }
    }

    /// Applies every service's migrations, prepares the services, and opens ``started``.
    public func start() async throws {
        for name in ServiceName.allCases {
            try await databases[name]?.migrate(name.module, logger: logger)
        }
        for name in ServiceName.allCases { try await services[name]?.prepare() }
        started.open()
    }

    /// The service `type`, as built here.
    public func service<Module: ServiceModule>(_ type: Module.Type) -> Module? {
        services.values.lazy.compactMap { $0 as? Module }.first
    }

    /// The gateway router: health, docs, every service's API under `/api/v1`, each request checked
    /// against its service's contract first, and the GraphQL API and the back office over them.
    public func router() throws -> Router<AppRequestContext> {
        let router = try restRouter()
        try graphQL().register(on: router)
        try backOffice().register(on: router)
        return router
    }

    /// The back office at `/admin`, over the REST routes in this process.
    private func backOffice() throws -> BackOffice {
        let rest = try restRouter().buildResponder()
        let changes = orderChanges
        return try BackOffice(logger: logger, changes: { changes.changes() }) { request, context in
            try await rest.respond(to: request, context: context)
        }
    }

    /// The HTTP/1 server behind the connection limits, with GraphQL subscriptions over WebSocket at
    /// `/graphql`.
    public func httpServer() throws -> HTTPServerBuilder {
        GraphQLWebSocket(endpoint: try graphQL(), feed: orderChanges, idleTimeout: configuration.limits.idleTimeout)
            .server(behind: connections)
    }

    /// GraphQL over the REST routes in this process, called through their middleware as HTTP requests
    /// would be.
    private func graphQL() throws -> GraphQLEndpoint {
        let rest = try restRouter().buildResponder()
        return GraphQLEndpoint(
            upstreams: .inProcess(logger: logger) { request, context in
                try await rest.respond(to: request, context: context)
            },
            clients: graphQLClients, currency: configuration.settings.currency, logger: logger)
    }

    /// Health, docs and the services' REST APIs.
    private func restRouter() throws -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        MiddlewareStack.front(
            of: router, process: "embedded", logger: logger, configuration: configuration, limits: limits)
        MiddlewareStack.contracts(
            of: router, contracts: try Documents.contracts(ServiceName.allCases),
            otherRoutes: GraphQLEndpoint.bodyLimits(graphQLClients.limits).merging(BackOffice.bodyLimits) { $1 },
            authenticator: Authenticator(keys: keys),
            limits: limits, validate: true)
        HealthRoutes.add(
            to: router, databases: databases.mapKeys(\.rawValue), loops: loops, drain: configuration.drain)
        MetricsRoute.add(
            to: router, databases: databases.mapKeys(\.rawValue), loops: loops,
            memoryBudgetMiB: configuration.memoryBudget(alone: false))
        DocsRoutes.add(to: router, documents: Documents.all, graphQL: Documents.graphQL)
        for name in ServiceName.allCases { try services[name]?.registerRoutes(on: router) }
        return router
    }

    /// The long-running parts besides the HTTP server, in start order (the group stops them in
    /// reverse): the databases, the loop monitor, then one outbox relay per database, which waits for
    /// ``started``.
    /// Events a relay claims and delivers in one pass, here. A pass's steps (the claim, the delivery to
    /// each consumer, the mark) follow one another, so the saga is bound by passes, not by the cores:
    /// passes of 1,000 kept the flow within 4 s of placing where passes of 500 fell 5-7 s behind
    /// (BENCHMARKS.md). A consumer still applies them in transactions of 100.
    static let relayBatch = 1000

    public func backgroundServices() -> [any Service] {
        let ordered = ServiceName.allCases.compactMap { name in databases[name].map { (name, $0) } }
        let relays = ordered.map { name, database in
            var relayLogger = logger
            relayLogger[metadataKey: "service"] = "\(name.rawValue)"
            return started.guarding(
                OutboxRelay(
                    name: "\(name.rawValue) outbox relay", database: database, transport: transport,
                    logger: relayLogger, monitor: loops, batchSize: Self.relayBatch))
        }
        let retention = ordered.map { name, database in
            var sweepLogger = logger
            sweepLogger[metadataKey: "service"] = "\(name.rawValue)"
            return started.guarding(RetentionSweep(database: database, logger: sweepLogger).loop(monitor: loops))
        }
        return (runner == .serviceGroup ? ordered.map { $0.1 as any Service } : []) + [loops, limits.reclaimer] + relays
            + retention
    }

    /// The HTTP application with the databases and relays in its service group. Before it accepts
    /// requests it starts the system (unless that was done already), then runs `afterStart`.
    public func application(
        afterStart: @escaping @Sendable (EmbeddedSystem) async throws -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        var application = Application(
            router: try router(),
            server: try httpServer(),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "sprocket"),
            services: backgroundServices(),
            logger: logger
        )
        application.beforeServerStarts { [self] in
            if !started.isOpened { try await start() }
            try await afterStart(self)
        }
        return application
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

    /// Closes every database (those of a service group close with the group).
    public func close() async {
        for database in databases.values { await database.close() }
    }
}

extension Dictionary {
    func mapKeys<T: Hashable>(_ transform: (Key) -> T) -> [T: Value] {
        Dictionary<T, Value>(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}
