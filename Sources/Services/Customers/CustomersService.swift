import CustomersAPI
import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceKit
import Storage

/// The customers service as a process part: identity, routes and OpenAPI document.
public struct CustomersService: Sendable {
    public static let name = "customers"
    public let identity: Identity
    private let authenticator: Authenticator

    public init(
        database: Database, keys: KeyRing, hasher: PasswordHasher = PasswordHasher(), tokenLifetime: TimeInterval = 3600
    ) {
        self.identity = Identity(
            store: CustomersStore(database: database), hasher: hasher, throttle: LoginThrottle(), keys: keys,
            tokenLifetime: tokenLifetime
        )
        self.authenticator = Authenticator(keys: keys)
    }

    /// The OpenAPI document served at `/openapi/customers.yaml`.
    public static var openAPIDocument: String { CustomersSpec.yaml }

    /// Mounts the service's routes under `/api/v1` on `router`, with idempotency on its own database.
    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        let group = router.group()
            .add(
                middleware: IdempotencyMiddleware(
                    database: identity.store.database, authenticator: authenticator,
                    excluding: ["/api/v1/auth/token"]))
        try CustomersHandler(identity: identity, authenticator: authenticator)
            .registerHandlers(
                on: group, serverURL: try Servers.Server1.url(), configuration: .sprocket,
                middlewares: [EmptyBodyMiddleware()])
    }
}
