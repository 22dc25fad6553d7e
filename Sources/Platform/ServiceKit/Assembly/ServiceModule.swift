import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
import Logging
import Messaging
import Storage

/// A service as the composition root sees it, in either mode: its name, contract, schema, routes and
/// event consumers.
///
/// `sprocket serve` (every module in one process), `serve --service NAME` (one module, on PostgreSQL
/// and NATS), `migrate`, `demo` and the tests all build services through this protocol, from one list
/// (`ServiceName` in the Composition target). The platform adds what every service has: the outbox,
/// inbox and idempotency tables, the outbox relay, request validation against the contract, health.
public protocol ServiceModule: Sendable {
    /// The service's name: its database file or schema, its consumer name, its log label.
    static var name: String { get }
    /// The OpenAPI contract: served at `/openapi/<name>.yaml`, and enforced on every request.
    static var openAPIDocument: String { get }
    /// The hash of the contract its generated code was made from (`<Name>Spec.generatedFrom`), for the
    /// test that finds generated code older than its document.
    static var contractGeneratedFrom: String { get }
    /// The service's own migrations, applied under the key `name`.
    static var migrations: [Migration] { get }
    /// The public keys of the access tokens this service issues, read from its own database; `nil` for
    /// services that only verify tokens.
    static func tokenKeys(in database: Database) -> KeyRing.Refresh?
    /// Whether ``tokenKeys(in:)`` gives keys: the service signs access tokens, starts first, and every
    /// other service is told where it is (`--customers-url`).
    static var issuesAccessTokens: Bool { get }
    /// The settings this service owns: flags of the commands that build services, `SPROCKET_`
    /// variables, read back with ``ServiceSettings/option(_:)``.
    static var options: [ServiceOption] { get }
    /// The service's own invariants after a fault (`sprocket reconcile`, `scripts/faults`): one line per
    /// violation, none when its data agrees with itself (e.g. every order's `order.placed` published).
    static func reconcile(_ database: Database) async throws -> [String]

    /// Its share of a process's database cache against the other services' in embedded mode (1 unless it
    /// reads much more data: the catalog's graph).
    static var storageWeight: Int { get }

    /// Builds the service over its migrated database.
    init(context: ServiceContext)
    /// Work before the first request (e.g. creating the signing key).
    func prepare() async throws
    /// Mounts the service's routes under `/api/v1`.
    func registerRoutes(on router: Router<AppRequestContext>) throws
    /// The consumers of other services' events, subscribed to the mode's transport.
    var consumers: [EventConsumer] { get }
}

extension ServiceModule {
    public static func tokenKeys(in database: Database) -> KeyRing.Refresh? { nil }
    public static var issuesAccessTokens: Bool { false }
    public static var options: [ServiceOption] { [] }
    public static func reconcile(_ database: Database) async throws -> [String] { [] }
    public static var storageWeight: Int { 1 }
    public func prepare() async throws {}
    public var consumers: [EventConsumer] { [] }
}

/// What a service is built with.
public struct ServiceContext: Sendable {
    public let database: Database
    public let keys: KeyRing
    public let authenticator: Authenticator
    public let settings: ServiceSettings
    public let logger: Logger

    public init(database: Database, keys: KeyRing, settings: ServiceSettings, logger: Logger) {
        self.database = database
        self.keys = keys
        self.authenticator = Authenticator(keys: keys)
        self.settings = settings
        self.logger = logger
    }
}

/// The settings services read: what every service shares (the store currency), and the values of the
/// options each service declares for itself (``ServiceModule/options``), by name.
public struct ServiceSettings: Sendable {
    /// The store currency (ISO 4217) every price is in.
    public var currency = "EUR"
    /// The values given for services' own options (checked by their rules), by option name; an option
    /// not here has its default.
    public var options: [String: String] = [:]

    public init() {}

    /// The value of `option`: the one given, or its default.
    public func option(_ option: ServiceOption) -> String { options[option.name] ?? option.defaultValue }
}

extension Database {
    /// Applies the platform's tables (outbox, inbox, dead letters, idempotency keys) and `module`'s own
    /// migrations.
    public func migrate(_ module: any ServiceModule.Type, logger: Logger) async throws {
        try await migrate(service: MessagingSchema.service, MessagingSchema.migrations, logger: logger)
        try await migrate(service: IdempotencySchema.service, IdempotencySchema.migrations, logger: logger)
        try await migrate(service: module.name, module.migrations, logger: logger)
    }
}

extension ServiceModule {
    /// Mounts `handler`'s generated routes under `/api/v1` on `router`, behind idempotency on `database`.
    /// (`register` is the generated `registerHandlers`; `excluding` paths are never recorded.)
    public static func mount(
        on router: Router<AppRequestContext>, database: Database, authenticator: Authenticator,
        excluding: Set<String> = [],
        _ register: (RouterGroup<AppRequestContext>) throws -> Void
    ) rethrows {
        let group = router.group()
            .add(
                middleware: IdempotencyMiddleware(
                    database: database, authenticator: authenticator, excluding: excluding))
        try register(group)
    }

    /// Mounts `handler` (the service's generated `APIProtocol`) under `/api/v1` on `router`, behind
    /// idempotency on `database`, with the platform's configuration and middleware: the one way every
    /// service registers its routes.
    public static func mount(
        _ handler: some ContractHandler, on router: Router<AppRequestContext>, database: Database,
        authenticator: Authenticator, excluding: Set<String> = []
    ) throws {
        try mount(on: router, database: database, authenticator: authenticator, excluding: excluding) { group in
            try handler.registerHandlers(
                on: group, serverURL: ContractHandlers.serverURL, configuration: .sprocket,
                middlewares: [EmptyBodyMiddleware()])
        }
    }
}

/// A service's handler of its contract: the generated `APIProtocol` of its `<Service>API` target, whose
/// generated `registerHandlers` this names (each handler declares the conformance; the method is
/// generated).
public protocol ContractHandler: Sendable {
    func registerHandlers(
        on transport: any ServerTransport, serverURL: URL, configuration: Configuration,
        middlewares: [any ServerMiddleware]) throws
}

enum ContractHandlers {
    /// Every contract's server: `/api/v1`.
    static let serverURL = URL(string: "/api/v1") ?? URL(fileURLWithPath: "/api/v1")
}

extension Database {
    /// A read-only replica's start (regions): waits until the primary has applied everything `module`
    /// needs (the platform's tables and the module's own migrations), checking every second for up to
    /// `patience`, then marks the database ready. Writes nothing.
    public func awaitMigrations(of module: any ServiceModule.Type, patience: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + patience
        while true {
            var complete = true
            for (service, migrations) in [
                (MessagingSchema.service, MessagingSchema.migrations),
                (IdempotencySchema.service, IdempotencySchema.migrations), (module.name, module.migrations),
            ] where complete {
                complete = try await confirmMigrated(service: service, migrations)
            }
            if complete { return markReplicaReady() }
            guard ContinuousClock.now < deadline else {
                throw ConfigurationError(
                    description:
                        "the replica of \(module.name) lacks migrations this release needs: is the home region migrated?"
                )
            }
            try await Task.sleep(for: .seconds(1))
        }
    }
}
