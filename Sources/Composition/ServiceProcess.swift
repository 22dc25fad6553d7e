import AsyncHTTPClient
import Foundation
import GraphQLGateway
import Gateway
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import Messaging
import NATS
import ServiceKit
import ServiceLifecycle
import Storage

/// How a single-service process reaches the rest of the system (distributed mode).
public struct DistributedOptions: Sendable {
    /// `nats://[user:password@]host:port` of the NATS server with JetStream.
    public var natsURL: String?
    /// For the gateway: `service=http://host:port` pairs.
    public var upstreams: [String] = []
    /// Where the customers service answers (for its JWKS), e.g. `http://127.0.0.1:8102`.
    public var customersURL: String?

    public init(natsURL: String? = nil, upstreams: [String] = [], customersURL: String? = nil) {
        self.natsURL = natsURL
        self.upstreams = upstreams
        self.customersURL = customersURL
    }
}

/// What one process of the distributed mode runs: a service, or the gateway.
public enum ProcessRole: Sendable, Equatable {
    case service(ServiceName)
    case gateway

    /// Every name `--service` takes.
    public static var names: [String] { ServiceName.allCases.map(\.rawValue) + ["gateway"] }

    public init?(name: String) {
        if name == "gateway" {
            self = .gateway
        } else if let service = ServiceName(rawValue: name) {
            self = .service(service)
        } else {
            return nil
        }
    }

    public var name: String {
        switch self {
        case .service(let service): service.rawValue
        case .gateway: "gateway"
        }
    }
}

/// One service in its own process (`sprocket serve --service NAME`): its own listener and database,
/// events over NATS JetStream; or the gateway, proxying to the services.
///
/// Every long-lived resource (database, NATS client and transport, relay, HTTP client) is a service of
/// the application's group, listed so that shutdown stops the server first and closes the database last.
/// Building opens nothing that needs closing but the SQLite files; the database is migrated and the
/// service prepared in the server's `beforeServerStarts`, and the transport and relay wait for that.
public struct ServiceProcess {
    public let role: ProcessRole
    private let router: Router<AppRequestContext>
    private let services: [any Service]
    private let start: @Sendable () async throws -> Void
    private let configuration: SystemConfiguration
    private let limits: ProcessLimits
    private let logger: Logger
    /// The gateway's GraphQL subscriptions over WebSocket.
    private var webSocket: GraphQLWebSocket? = nil

    /// Opens the service's database (unmigrated), builds the service, subscribes its consumers to NATS,
    /// and builds its router. A failure closes what was opened.
    public static func build(
        _ role: ProcessRole, configuration: SystemConfiguration, options: DistributedOptions, logger: Logger
    ) async throws -> ServiceProcess {
        var serviceLogger = logger
        serviceLogger[metadataKey: "service"] = "\(role.name)"
        let router = Router(context: AppRequestContext.self)
        let limits = ProcessLimits(configuration)
        MiddlewareStack.front(
            of: router, process: "\(role.name)", logger: serviceLogger, configuration: configuration, limits: limits)
        guard case .service(let name) = role else {
            return try gateway(
                router: router, limits: limits, configuration: configuration, options: options, logger: serviceLogger)
        }
        guard let natsURL = options.natsURL else {
            throw ConfigurationError(
                description: "--service \(name.rawValue) needs --nats nats://host:port (events travel over JetStream)")
        }
        let client = try NATSClient(url: natsURL, logger: serviceLogger)
        let location = try configuration.ownDatabaseLocation(for: name.rawValue)
        if case .sqlite = location {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        }
        let database = try await Database.open(
            location, logger: serviceLogger, runner: .serviceGroup,
            cacheBytes: configuration.cacheBytes(for: name, alone: true), retention: configuration.retention)
        do {
            let keys: KeyRing
            if let local = name.module.tokenKeys(in: database) {
                keys = KeyRing(logger: serviceLogger, refresh: local)
            } else if let customersURL = options.customersURL {
                keys = RemoteKeys.keyRing(customersURL: customersURL, logger: serviceLogger)
            } else {
                throw ConfigurationError(
                    description: "--service \(name.rawValue) needs --customers-url http://host:port to verify tokens")
            }
            MiddlewareStack.contracts(
                of: router, contracts: try Documents.contracts([name]), authenticator: Authenticator(keys: keys),
                limits: limits, validate: true)
            let service = name.module.init(
                context: ServiceContext(
                    database: database, keys: keys, settings: configuration.settings, logger: serviceLogger))
            let loops = LoopMonitor(stallAfter: configuration.stallAfter, logger: serviceLogger)
            let transport = NATSTransport(client: client, monitor: loops, logger: serviceLogger)
            for consumer in service.consumers { try await consumer.subscribe(to: transport) }
            try service.registerRoutes(on: router)
            HealthRoutes.add(
                to: router, databases: [name.rawValue: database], checks: ["nats": { client.isConnected }],
                loops: loops, drain: configuration.drain)
            MetricsRoute.add(
                to: router, databases: [name.rawValue: database], loops: loops,
                memoryBudgetMiB: configuration.memoryBudget(alone: true))
            DocsRoutes.add(to: router, documents: Documents.all.filter { $0.key == name.rawValue })
            let relay = OutboxRelay(
                name: "\(name.rawValue) outbox relay", database: database, transport: transport, logger: serviceLogger,
                monitor: loops)
            let started = StartGate()
            let startLogger = serviceLogger
            return ServiceProcess(
                role: role, router: router,
                services: [
                    database, client, loops, started.guarding(transport), started.guarding(relay),
                    started.guarding(RetentionSweep(database: database, logger: serviceLogger).loop(monitor: loops)),
                    EventListener.revocations(client: client, keys: keys, logger: serviceLogger),
                ],
                start: {
                    try await database.migrate(name.module, logger: startLogger)
                    try await service.prepare()
                    await keys.refreshNow()  // the keys and the accounts disabled lately, before any request
                    started.open()
                },
                configuration: configuration, limits: limits, logger: serviceLogger)
        } catch {
            await database.close()
            throw error
        }
    }

    private static func gateway(
        router: Router<AppRequestContext>, limits: ProcessLimits, configuration: SystemConfiguration,
        options: DistributedOptions, logger: Logger
    ) throws -> ServiceProcess {
        let contracts = try Documents.contracts()
        let graphQLClients = GraphQLClients(limits: configuration.graphQLLimits)
        // The gateway verifies no tokens (an upload needs an Authorization header, which the service checks)
        // and validates no request: the services behind it do both.
        MiddlewareStack.contracts(
            of: router, contracts: contracts.map(\.contract),
            otherRoutes: GraphQLEndpoint.bodyLimits(graphQLClients.limits), authenticator: nil, limits: limits,
            validate: false)
        let routes = try GatewayRoutes(contracts: contracts, pairs: options.upstreams)
        for service in Set(routes.prefixes.values) where routes.upstreams[service] == nil {
            throw ConfigurationError(description: "the gateway needs --upstream \(service)=http://host:port")
        }
        HealthRoutes.add(to: router, databases: [:], drain: configuration.drain)
        MetricsRoute.add(to: router, databases: [:], memoryBudgetMiB: configuration.memoryBudget(alone: true))
        DocsRoutes.add(to: router, documents: Documents.all, graphQL: Documents.graphQL)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.retryConnectionEstablishment = false  // a down upstream is a fast 502
        clientConfiguration.timeout.connect = .seconds(2)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let proxy = GatewayProxy(routes: routes, client: client)
        proxy.register(on: router)
        // GraphQL calls the services through the same proxy, as HTTP requests to the gateway would go.
        let upstreamRouter = Router(context: AppRequestContext.self)
        upstreamRouter.add(
            middleware: RequestScopeMiddleware(logger: logger, trustedProxies: configuration.trustedProxies))
        upstreamRouter.add(middleware: ProblemMiddleware())
        proxy.register(on: upstreamRouter)
        let upstream = upstreamRouter.buildResponder()
        let graphQL = GraphQLEndpoint(
            upstreams: .inProcess(logger: logger) { request, context in
                try await upstream.respond(to: request, context: context)
            },
            clients: graphQLClients, currency: configuration.settings.currency, logger: logger)
        graphQL.register(on: router)
        var services: [any Service] = [ClosingService("http client") { try? await client.shutdown() }]
        // Subscriptions hear of order changes from NATS, when the gateway is given it.
        var feed: OrderChangeFeed?
        if let natsURL = options.natsURL {
            let nats = try NATSClient(url: natsURL, logger: logger)
            let orderChanges = OrderChangeFeed()
            services += [nats, EventListener.orderChanges(client: nats, feed: orderChanges, logger: logger)]
            feed = orderChanges
        }
        return ServiceProcess(
            role: .gateway, router: router, services: services, start: {}, configuration: configuration,
            limits: limits, logger: logger,
            webSocket: GraphQLWebSocket(endpoint: graphQL, feed: feed, idleTimeout: configuration.limits.idleTimeout))
    }

    /// The HTTP application with the process's resources in its service group; it migrates the
    /// database and prepares the service before it accepts requests.
    public func application() -> some ApplicationProtocol {
        let webSocket = self.webSocket
        var application = Application(
            router: router,
            server: webSocket?.server(behind: limits.connections) ?? limits.connections.http1Server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "sprocket-\(role.name)"),
            services: services + [limits.reclaimer],
            logger: logger
        )
        application.beforeServerStarts(perform: start)
        return application
    }
}

/// What one process's clients hold, checked against ``SystemConfiguration/limits``.
struct ProcessLimits: Sendable {
    let connections: ConnectionLedger
    let inFlight: InFlightCounter
    let uploads: UploadSlots
    /// Returns what released connections and requests held; a service of the process's group.
    let reclaimer: MemoryReclaimer

    init(_ configuration: SystemConfiguration) {
        reclaimer = MemoryReclaimer()
        connections = ConnectionLedger(
            limits: configuration.limits, trustedProxies: configuration.trustedProxies, reclaimer: reclaimer)
        inFlight = InFlightCounter(limit: configuration.limits.maxInFlight, reclaimer: reclaimer)
        uploads = UploadSlots(limits: configuration.limits)
    }
}
