import AsyncHTTPClient
import Catalog
import Customers
import Foundation
import Gateway
import Hummingbird
import Logging
import Messaging
import NATS
import Orders
import ServiceKit
import ServiceLifecycle
import Storage

/// How a single-service process reaches the rest of the system (distributed mode).
public struct DistributedOptions: Sendable {
    /// `nats://host:port` of the NATS server with JetStream.
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

/// One service in its own process (`sprocket serve --service NAME`): its own listener and database,
/// events over NATS JetStream; or the gateway, proxying to the services.
public struct ServiceProcess {
    public static let names = ["catalog", "customers", "orders", "gateway"]

    public let name: String
    public let database: Database?
    private let httpClient: HTTPClient?
    private let router: Router<AppRequestContext>
    private let background: [any Service]
    private let configuration: SystemConfiguration
    private let logger: Logger

    /// Opens and migrates the service's database, connects its relay and consumers to NATS, and
    /// builds its router.
    public static func build(
        _ name: String, configuration: SystemConfiguration, options: DistributedOptions, logger: Logger
    ) async throws -> ServiceProcess {
        var serviceLogger = logger
        serviceLogger[metadataKey: "service"] = "\(name)"
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestScopeMiddleware(logger: serviceLogger))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BodyLimitMiddleware())
        router.add(
            middleware: RequestValidationMiddleware(
                contracts: try Documents.all.filter { $0.key == name }.values.map { try OpenAPIContract(yaml: $0) }))

        if name == "gateway" {
            let routes = try GatewayRoutes(pairs: options.upstreams)
            for service in Set(GatewayRoutes.prefixes.values) where routes.upstreams[service] == nil {
                throw GatewayConfigurationError(description: "the gateway needs --upstream \(service)=http://host:port")
            }
            HealthRoutes.add(to: router, databases: [:])
            DocsRoutes.add(to: router, documents: Documents.all)
            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.connectionPool.retryConnectionEstablishment = false  // a down upstream is a fast 502
            clientConfiguration.timeout.connect = .seconds(2)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            GatewayProxy(routes: routes, client: client).register(on: router)
            return ServiceProcess(
                name: name, database: nil, httpClient: client, router: router, background: [],
                configuration: configuration,
                logger: serviceLogger
            )
        }

        guard let natsURL = options.natsURL else {
            throw GatewayConfigurationError(
                description: "--service \(name) needs --nats nats://host:port (events travel over JetStream)")
        }
        let location =
            try configuration.databaseURL.map { try DatabaseLocation(parsing: $0) }
            ?? .sqlite(
                path: URL(fileURLWithPath: configuration.dataDirectory).appendingPathComponent("\(name).sqlite").path)
        if case .sqlite = location {
            try FileManager.default.createDirectory(
                atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        }
        let database = try await Database.open(location, logger: serviceLogger)
        let client = try NATSClient(url: natsURL, logger: serviceLogger)
        let transport = NATSTransport(client: client, logger: serviceLogger)
        let keys: KeyRing
        if name == "customers" {
            keys = KeyRing()
        } else {
            guard let customersURL = options.customersURL else {
                throw GatewayConfigurationError(
                    description: "--service \(name) needs --customers-url http://host:port to verify tokens")
            }
            keys = RemoteKeys.keyRing(customersURL: customersURL)
        }
        let authenticator = Authenticator(keys: keys)
        switch name {
        case "catalog":
            let catalog = CatalogService(
                database: database, authenticator: authenticator, currency: configuration.currency)
            try await catalog.store.migrate(logger: serviceLogger)
            try catalog.registerRoutes(on: router)
        case "customers":
            let customers = CustomersService(
                database: database, keys: keys, hasher: PasswordHasher(cost: configuration.bcryptCost),
                tokenLifetime: configuration.tokenLifetime
            )
            try await customers.identity.store.migrate(logger: serviceLogger)
            try await customers.identity.prepareKeys()
            try customers.registerRoutes(on: router)
        case "orders":
            let orders = OrdersService(
                database: database, authenticator: authenticator, currency: configuration.currency,
                taxes: configuration.taxes,
                logger: serviceLogger
            )
            try await orders.store.migrate(logger: serviceLogger)
            try await orders.consumer.subscribe(to: transport)
            try orders.registerRoutes(on: router)
        default:
            await database.close()
            throw GatewayConfigurationError(
                description: "no service \(name); choose one of \(names.joined(separator: ", "))")
        }
        HealthRoutes.add(to: router, databases: [name: database])
        DocsRoutes.add(to: router, documents: Documents.all.filter { $0.key == name })
        let relay = OutboxRelay(database: database, transport: transport, logger: serviceLogger)
        return ServiceProcess(
            name: name, database: database, httpClient: nil, router: router, background: [client, transport, relay],
            configuration: configuration, logger: serviceLogger
        )
    }

    /// The HTTP application with the NATS client, transport and relay in its service group.
    public func application() -> some ApplicationProtocol {
        Application(
            router: router,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "sprocket-\(name)"),
            services: background,
            logger: logger
        )
    }

    /// Closes the database and the gateway's HTTP client.
    public func close() async {
        await database?.close()
        try? await httpClient?.shutdown()
    }
}
