import Foundation
import GraphQLGateway
import ServiceKit
import Storage

/// Everything a Sprocket process is configured with (from flags, then `SPROCKET_*` variables, then defaults).
public struct SystemConfiguration: Sendable {
    /// Interface to listen on.
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Folder of the SQLite files in embedded mode.
    public var dataDirectory: String = "./data"
    /// A PostgreSQL URL; in embedded mode each service gets its own schema in it.
    public var databaseURL: String?
    /// What the services read: currency, taxes, token lifetime, bcrypt cost.
    public var settings = ServiceSettings()
    /// Peers whose `X-Forwarded-For` is believed (the gateway, a TLS proxy); loopback by default.
    public var trustedProxies: Set<String> = ["127.0.0.1", "::1"]
    /// How long a background loop may have work waiting without progress before it is reported.
    public var stallAfter: Duration = .seconds(30)
    /// Distributed mode: how long an outbox relay or an event consumer waits for more work to gather
    /// into its batch (each batch costs the same few round trips to PostgreSQL whatever its size).
    public var batchGather: Duration = .milliseconds(10)
    /// What one client may hold: connections, timeouts, requests and uploads at once.
    public var limits = RequestLimits()
    /// What one GraphQL client may ask for: calls per query and per second, subscriptions.
    public var graphQLLimits = QueryLimits()
    /// The process's memory budget in MiB (`nil`: 256 for the embedded system, 128 for one service).
    public var memoryBudget: Int?
    /// How long each database keeps its outbox, inbox and idempotency rows.
    public var retention = RetentionPolicy()
    /// How the process stops when told to: the drain delay, then the grace period.
    public var shutdown = ShutdownPlan()
    /// Set when the process is told to stop: `/health/ready` answers 503 from then on.
    public let drain = Drain()

    public init() {}

    /// The memory budget in MiB of a process running all the services (`alone == false`) or one.
    public func memoryBudget(alone: Bool) -> Int { memoryBudget ?? (alone ? 128 : 256) }

    /// What `service`'s SQLite database may keep in memory: half the process's budget goes to database
    /// caches (the rest is the heap: requests, buffers, the runtime), split by the services' weights when
    /// they share the process.
    public func cacheBytes(for service: ServiceName, alone: Bool) -> Int {
        let caches = memoryBudget(alone: alone) << 19  // half, in bytes
        guard !alone else { return caches }
        let total = ServiceName.allCases.reduce(0) { $0 + $1.module.storageWeight }
        return caches / max(1, total) * service.module.storageWeight
    }

    /// Where `service` keeps its data when it runs alone (distributed mode): the database URL as given
    /// (its own database), or its SQLite file in the data directory.
    public func ownDatabaseLocation(for service: String) throws -> DatabaseLocation {
        if let databaseURL { return try DatabaseLocation(parsing: databaseURL) }
        return try databaseLocation(for: service)
    }

    /// Where `service` keeps its data in embedded mode: its own schema of the one PostgreSQL database,
    /// or its own SQLite file.
    public func databaseLocation(for service: String) throws -> DatabaseLocation {
        if let databaseURL {
            let location = try DatabaseLocation(parsing: databaseURL)
            if case .postgres(let host, let port, let user, let password, let database, let schema) = location {
                return .postgres(
                    host: host, port: port, user: user, password: password, database: database,
                    schema: schema.map { "\($0)_\(service)" } ?? service
                )
            }
            throw DatabaseError.invalidURL("\(databaseURL) (embedded mode takes a postgres:// URL or --data-dir)")
        }
        return .sqlite(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent("\(service).sqlite").path)
    }
}
