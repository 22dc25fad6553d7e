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

    public init(context: ServiceContext) {
        self.identity = Identity(
            store: CustomersStore(database: context.database),
            hasher: PasswordHasher(cost: context.settings.bcryptCost),
            throttle: LoginThrottle(limits: .init(failureDelay: context.settings.loginFailureDelay)),
            keys: context.keys,
            tokenLifetime: context.settings.tokenLifetime
        )
        self.authenticator = context.authenticator
    }

    /// Creates the signing key on first start and puts every public key in the key ring.
    public func prepare() async throws {
        try await identity.prepareKeys()
    }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        try Self.mount(
            on: router, database: identity.store.database, authenticator: authenticator,
            excluding: ["/api/v1/auth/token"]
        ) { group in
            try CustomersHandler(identity: identity, authenticator: authenticator).registerHandlers(
                on: group, serverURL: try Servers.Server1.url(), configuration: .sprocket,
                middlewares: [EmptyBodyMiddleware()])
        }
    }
}
