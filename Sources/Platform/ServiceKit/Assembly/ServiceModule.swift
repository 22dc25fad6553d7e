import Foundation
import Hummingbird
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
    /// Settings a deployment passes this service (name, example value), written into the deployment
    /// files (`sprocket deploy render`); each is also a flag of `sprocket serve`.
    static var deploymentEnvironment: [(name: String, value: String)] { get }
    /// The service's own invariants after a fault (`sprocket reconcile`, `scripts/faults`): one line per
    /// violation, none when its data agrees with itself (e.g. every order's `order.placed` published).
    static func reconcile(_ database: Database) async throws -> [String]

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
    public static var deploymentEnvironment: [(name: String, value: String)] { [] }
    public static func reconcile(_ database: Database) async throws -> [String] { [] }
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

/// The settings services read (from flags and `SPROCKET_*` variables, validated by the command line).
public struct ServiceSettings: Sendable {
    /// The store currency (ISO 4217) every price is in.
    public var currency = "EUR"
    /// Tax rates by billing country in percent, added to the EU default table, e.g. `GB=20,CH=8.1`.
    public var taxRates = ""
    /// Lifetime of access tokens, in seconds.
    public var tokenLifetime: TimeInterval = 3600
    /// bcrypt work factor.
    public var bcryptCost: UInt8 = 12
    /// How long a failed login on an account under attack waits before it is answered.
    public var loginFailureDelay: Duration = .seconds(1)
    /// Whether an order moves to `confirmed` by itself once inventory reserved it; when `false`, staff
    /// confirm by hand (and still only a reserved order).
    public var autoConfirm = true
    /// The seller printed on invoices: name, one-line address, VAT id.
    public var sellerName = "Sprocket Parts GmbH"
    public var sellerAddress = "Werkstattstraße 1, 10115 Berlin, Germany"
    public var sellerVatId = "DE000000000"

    public init() {}
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
}
