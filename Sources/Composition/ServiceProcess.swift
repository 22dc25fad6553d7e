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
    /// Regions: where this process is and what it does there (``RegionOptions``).
    public var region = RegionOptions()

    public init(
        natsURL: String? = nil, upstreams: [String] = [], customersURL: String? = nil, region: RegionOptions = .init()
    ) {
        self.natsURL = natsURL
        self.upstreams = upstreams
        self.customersURL = customersURL
        self.region = region
    }
}

/// A process's part in a system spread over regions: the home region owns every write; each other
/// region serves reads from a PostgreSQL replica of home's server, through a regional gateway that sends
/// writes home.
public struct RegionOptions: Sendable {
    /// The region's name (`Sprocket-Region`); a gateway without one knows nothing of regions.
    public var name: String?
    /// A regional gateway: the home region's gateway (`nil` at home).
    public var homeURL: String?
    /// A gateway's database server: at home the primary (heartbeat, write positions), in a region its
    /// replica (replayed position, data age); any database on the server, e.g. `postgres`.
    public var database: String?
    /// A service that serves reads from its region's replica: no migrations, relays, consumers or sweeps;
    /// writes answered 503.
    public var readOnly = false
    /// How long a read waits for the replica to reach its `Sprocket-Position` before it goes home.
    public var readWait: Duration = .milliseconds(500)

    public init() {}
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
    let router: Router<AppRequestContext>
    let services: [any Service]
    let start: @Sendable () async throws -> Void
    let configuration: SystemConfiguration
    let limits: ProcessLimits
    let logger: Logger
    /// The gateway's GraphQL subscriptions over WebSocket.
    var webSocket: GraphQLWebSocket? = nil

    /// Opens the service's database (unmigrated), builds the service, subscribes its consumers to NATS,
    /// and builds its router. A failure closes what was opened.
    public static func build(
        _ role: ProcessRole, configuration: SystemConfiguration, options: DistributedOptions, logger: Logger
    ) async throws -> ServiceProcess {
        var serviceLogger = logger
        serviceLogger[metadataKey: "service"] = "\(role.name)"
        let router = Router(context: AppRequestContext.self)
        let limits = ProcessLimits(configuration)
        guard case .service(let name) = role else {
            return try await gateway(
                router: router, limits: limits, configuration: configuration, options: options, logger: serviceLogger)
        }
        MiddlewareStack.front(
            of: router, process: "\(role.name)", logger: serviceLogger, configuration: configuration, limits: limits)
        let location = try configuration.ownDatabaseLocation(for: name.rawValue)
        if options.region.readOnly {
            return try await readOnly(
                name, location: location, router: router, limits: limits, configuration: configuration,
                options: options, logger: serviceLogger)
        }
        guard let natsURL = options.natsURL else {
            throw ConfigurationError(
                description: "--service \(name.rawValue) needs --nats nats://host:port (events travel over JetStream)")
        }
        let client = try NATSClient(url: natsURL, logger: serviceLogger)
        if case .sqlite = location {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        }
        let database = try await Database.open(
            location, logger: serviceLogger, runner: .serviceGroup,
            cacheBytes: configuration.cacheBytes(for: name, alone: true), retention: configuration.retention)
        do {
            let keys = try keyRing(name, database: database, options: options, logger: serviceLogger)
            MiddlewareStack.contracts(
                of: router, contracts: try Documents.contracts([name]), authenticator: Authenticator(keys: keys),
                limits: limits, validate: true)
            let service = name.module.init(
                context: ServiceContext(
                    database: database, keys: keys, settings: configuration.settings, logger: serviceLogger))
            let loops = LoopMonitor(stallAfter: configuration.stallAfter, logger: serviceLogger)
            let transport = NATSTransport(
                client: client, gather: configuration.batchGather, monitor: loops, logger: serviceLogger)
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
                monitor: loops, gather: configuration.batchGather)
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

    /// The key ring a service verifies tokens with: its own keys if it issues them, else the customers
    /// service's, fetched over HTTP.
    static func keyRing(
        _ name: ServiceName, database: Database, options: DistributedOptions, logger: Logger
    ) throws -> KeyRing {
        if let local = name.module.tokenKeys(in: database) { return KeyRing(logger: logger, refresh: local) }
        guard let customersURL = options.customersURL else {
            throw ConfigurationError(
                description: "--service \(name.rawValue) needs --customers-url http://host:port to verify tokens")
        }
        return RemoteKeys.keyRing(customersURL: customersURL, logger: logger)
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
