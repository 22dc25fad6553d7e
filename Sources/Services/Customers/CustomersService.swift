import CustomersAPI
import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceKit
import Storage

/// The customers service as a module: identity, routes, contract, schema and the token keys.
public struct CustomersService: ServiceModule {
    public static let name = "customers"
    public static var openAPIDocument: String { CustomersSpec.yaml }
    public static var contractGeneratedFrom: String { CustomersSpec.generatedFrom }
    public static var migrations: [Migration] { CustomersMigrations.all }

    /// The keys in this service's database sign every access token.
    public static var issuesAccessTokens: Bool { true }

    public static func tokenKeys(in database: Database) -> KeyRing.Refresh? {
        {
            let store = CustomersStore(database: database)
            return KeyRing.Snapshot(
                keys: try await store.publicKeys(), revoked: Set(try await store.disabledIDs(since: .distantPast)))
        }
    }

    public let identity: Identity
    private let authenticator: Authenticator

    public static var options: [ServiceOption] { [tokenTTL, bcryptCost, loginFailureDelay] }

    /// Lifetime of access tokens, in seconds.
    public static let tokenTTL = ServiceOption(
        "token-ttl", default: "3600", help: "Access token lifetime in seconds.",
        problem: ServiceOption.integer(60...Int(Int32.max)))
    /// bcrypt work factor.
    public static let bcryptCost = ServiceOption(
        "bcrypt-cost", default: "12", help: "bcrypt work factor (4-31).", problem: ServiceOption.integer(4...31))
    /// How long a failed login on an account under attack waits before it is answered.
    public static let loginFailureDelay = ServiceOption(
        "login-failure-delay-ms", default: "1000",
        help: "Milliseconds a failed login on an account under attack waits before it is answered.",
        problem: ServiceOption.integer(0...60_000))

    public init(context: ServiceContext) {
        let settings = context.settings
        self.identity = Identity(
            store: CustomersStore(database: context.database),
            hasher: PasswordHasher(cost: UInt8(settings.option(Self.bcryptCost)) ?? 12),
            throttle: LoginThrottle(
                limits: .init(failureDelay: .milliseconds(Int(settings.option(Self.loginFailureDelay)) ?? 1000))),
            keys: context.keys,
            tokenLifetime: TimeInterval(Int(settings.option(Self.tokenTTL)) ?? 3600)
        )
        self.authenticator = context.authenticator
    }

    /// Creates the signing key on first start and puts every public key in the key ring.
    public func prepare() async throws {
        try await identity.prepareKeys()
    }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        try Self.mount(
            CustomersHandler(identity: identity, authenticator: authenticator), on: router,
            database: identity.store.database,
            authenticator: authenticator,
            excluding: ["/api/v1/auth/token"])
    }
}
