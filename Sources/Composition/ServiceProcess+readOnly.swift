import Foundation
import Hummingbird
import Logging
import Messaging
import NATS
import ServiceKit
import ServiceLifecycle
import Storage

extension ServiceProcess {
    /// A service serving reads in a region, from the region's PostgreSQL replica of home's server: the
    /// same routes and checks, but no migrations (it waits until the replica has home's schema), no
    /// outbox relay, consumers or retention sweep (home does all of that, and the replica copies the
    /// result), and every write refused with 503 (the regional gateway sends writes home). With `--nats`
    /// (the region's leaf node) it hears token revocations at once; without it, it reloads them every
    /// ten seconds.
    static func readOnly(
        _ name: ServiceName, location: DatabaseLocation, router: Router<AppRequestContext>, limits: ProcessLimits,
        configuration: SystemConfiguration, options: DistributedOptions, logger: Logger
    ) async throws -> ServiceProcess {
        guard case .postgres = location else {
            throw ConfigurationError(
                description:
                    "--read-only serves a PostgreSQL replica: give --database postgres://… of the region's replica")
        }
        let database = try await Database.open(
            location, logger: logger, runner: .serviceGroup, retention: configuration.retention)
        do {
            let keys = try keyRing(name, database: database, options: options, logger: logger)
            router.add(middleware: ReadOnlyMiddleware())
            MiddlewareStack.contracts(
                of: router, contracts: try Documents.contracts([name]), authenticator: Authenticator(keys: keys),
                limits: limits, validate: true)
            let service = name.module.init(
                context: ServiceContext(
                    database: database, keys: keys, settings: configuration.settings, logger: logger))
            try service.registerRoutes(on: router)
            var services: [any Service] = [database]
            var checks: [String: @Sendable () async -> Bool] = [:]
            if let natsURL = options.natsURL {
                let client = try NATSClient(url: natsURL, logger: logger)
                services += [client, EventListener.revocations(client: client, keys: keys, logger: logger)]
                checks["nats"] = { client.isConnected }
            } else {
                services.append(RegionLoops.Loop(every: .seconds(10)) { await keys.refreshNow() })
            }
            HealthRoutes.add(
                to: router, databases: [name.rawValue: database], checks: checks, drain: configuration.drain)
            MetricsRoute.add(
                to: router, databases: [name.rawValue: database],
                memoryBudgetMiB: configuration.memoryBudget(alone: true))
            DocsRoutes.add(to: router, documents: Documents.all.filter { $0.key == name.rawValue })
            return ServiceProcess(
                role: .service(name), router: router, services: services,
                start: {
                    try await database.awaitMigrations(of: name.module)
                    await keys.refreshNow()
                },
                configuration: configuration, limits: limits, logger: logger)
        } catch {
            await database.close()
            throw error
        }
    }
}

/// A read-only service's answer to a write: 503, since its region's gateway sends writes home and only a
/// client that bypassed it gets here.
struct ReadOnlyMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard [.get, .head, .options].contains(request.method) || !request.uri.path.hasPrefix("/api/v1/") else {
            throw Problem(
                status: .serviceUnavailable, code: "region.read_only",
                detail: "This is a regional replica, which serves reads; send writes to the home region's gateway.",
                retryAfter: 5)
        }
        return try await next(request, context)
    }
}
