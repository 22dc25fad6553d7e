import AsyncHTTPClient
import BackOffice
import Foundation
import GraphQLGateway
import Gateway
import Hummingbird
import Logging
import NATS
import ServiceKit
import ServiceLifecycle
import Storage

extension ServiceProcess {
    /// The gateway: proxies `/api/v1` to the services and answers GraphQL over them. With a region
    /// (``RegionOptions``) it says which region answered; at home it stamps writes with their log
    /// position and commits the heartbeat, in another region it serves reads from the region's services
    /// and sends writes home.
    static func gateway(
        router: Router<AppRequestContext>, limits: ProcessLimits, configuration: SystemConfiguration,
        options: DistributedOptions, logger: Logger
    ) async throws -> ServiceProcess {
        var services: [any Service] = []
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool.retryConnectionEstablishment = false  // a down upstream is a fast 502
        clientConfiguration.timeout.connect = .seconds(2)
        // Up to 64 connections to each upstream replica, not AsyncHTTPClient's 8: with 8, at most 8 requests
        // were at a service at once and the rest queued in the gateway (distributed placing 204–309 → 388–462
        // orders/s at 64 clients, BENCHMARKS.md).
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        services.append(ClosingService("http client") { try? await client.shutdown() })
        let region = try await regionState(options.region, client: client, logger: logger, services: &services)
        MiddlewareStack.front(
            of: router, process: "gateway", logger: logger, configuration: configuration, limits: limits,
            region: region.map { RegionHeadersMiddleware(region: $0.state, position: $0.position) })

        let contracts = try Documents.contracts()
        let graphQLClients = GraphQLClients(limits: configuration.graphQLLimits)
        // The gateway verifies no tokens (an upload needs an Authorization header, which the service checks)
        // and validates no request: the services behind it do both.
        MiddlewareStack.contracts(
            of: router, contracts: contracts.map(\.contract),
            otherRoutes: GraphQLEndpoint.bodyLimits(graphQLClients.limits).merging(BackOffice.bodyLimits) { $1 },
            authenticator: nil, limits: limits,
            validate: false)
        let routes = try GatewayRoutes(contracts: contracts, pairs: options.upstreams)
        for service in Set(routes.prefixes.values) where routes.upstreams[service] == nil {
            throw ConfigurationError(description: "the gateway needs --upstream \(service)=http://host:port")
        }
        HealthRoutes.add(to: router, databases: [:], drain: configuration.drain)
        MetricsRoute.add(to: router, databases: [:], memoryBudgetMiB: configuration.memoryBudget(alone: true))
        DocsRoutes.add(to: router, documents: Documents.all, graphQL: Documents.graphQL)
        let register: (Router<AppRequestContext>) -> Void
        if let state = region?.state, !state.isHome {
            let proxy = try RegionalProxy(
                local: routes, client: client, region: state, readWait: options.region.readWait)
            register = { proxy.register(on: $0) }
        } else {
            let proxy = GatewayProxy(routes: routes, client: client)
            register = { proxy.register(on: $0) }
        }
        register(router)
        // GraphQL calls the services through the same proxy, as HTTP requests to the gateway would go.
        let upstreamRouter = Router(context: AppRequestContext.self)
        upstreamRouter.add(
            middleware: RequestScopeMiddleware(logger: logger, trustedProxies: configuration.trustedProxies))
        upstreamRouter.add(middleware: ProblemMiddleware())
        register(upstreamRouter)
        let upstream = upstreamRouter.buildResponder()
        let graphQL = GraphQLEndpoint(
            upstreams: .inProcess(logger: logger) { request, context in
                try await upstream.respond(to: request, context: context)
            },
            clients: graphQLClients, currency: configuration.settings.currency, logger: logger)
        graphQL.register(on: router)
        // Subscriptions hear of order changes from NATS, when the gateway is given it.
        var feed: OrderChangeFeed?
        if let natsURL = options.natsURL {
            let nats = try NATSClient(url: natsURL, logger: logger)
            let orderChanges = OrderChangeFeed()
            services += [nats, EventListener.orderChanges(client: nats, feed: orderChanges, logger: logger)]
            feed = orderChanges
        }
        // The back office calls the services through the same proxy, as GraphQL does.
        var changes: (@Sendable () -> AsyncStream<String>)?
        if let feed { changes = { feed.changes() } }
        let backOffice = try BackOffice(logger: logger, changes: changes) { request, context in
            try await upstream.respond(to: request, context: context)
        }
        backOffice.register(on: router)
        return ServiceProcess(
            role: .gateway, router: router, services: services, start: {}, configuration: configuration,
            limits: limits, logger: logger,
            webSocket: GraphQLWebSocket(endpoint: graphQL, feed: feed, idleTimeout: configuration.limits.idleTimeout))
    }

    /// The gateway's region and the loops that keep it true (added to `services`); `nil` without a region.
    private static func regionState(
        _ options: RegionOptions, client: HTTPClient, logger: Logger, services: inout [any Service]
    ) async throws -> (state: RegionState, position: (@Sendable () async throws -> WALPosition)?)? {
        guard let name = options.name else {
            if options.homeURL != nil || options.database != nil {
                throw ConfigurationError(description: "--home-url and --region-database need --region NAME")
            }
            return nil
        }
        let state = RegionState(name: name, homeURL: options.homeURL)
        guard let url = options.database else {
            // A region without a database: no heartbeat or tokens at home; no replica to wait for elsewhere.
            if let homeURL = options.homeURL {
                services.append(RegionLoops.homeProbe(homeURL, client: client, state: state, logger: logger))
            }
            return (state, nil)
        }
        let location = try DatabaseLocation(parsing: url)
        guard case .postgres = location else {
            throw ConfigurationError(
                description: "--region-database must be a PostgreSQL URL (regions replicate PostgreSQL)")
        }
        let database = try await Database.open(location, logger: logger, runner: .serviceGroup)
        services.insert(database, at: 0)
        if let homeURL = options.homeURL {
            services.append(RegionLoops.replica(database, state: state, logger: logger))
            services.append(RegionLoops.homeProbe(homeURL, client: client, state: state, logger: logger))
            return (state, nil)
        }
        services.append(RegionLoops.heartbeat(region: name, database: database, logger: logger))
        return (state, RegionLoops.position(database))
    }
}
