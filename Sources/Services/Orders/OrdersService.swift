import Foundation
import Hummingbird
import Logging
import Messaging
import OpenAPIHummingbird
import OpenAPIRuntime
import OrdersAPI
import ServiceKit
import Storage

/// The orders service as a process part: store, consumer, routes and OpenAPI document.
public struct OrdersService: Sendable {
    public static let name = "orders"
    public let store: OrdersStore
    /// Keeps the catalog and customer replicas current.
    public let consumer: EventConsumer
    private let authenticator: Authenticator

    public init(database: Database, authenticator: Authenticator, currency: String, taxes: TaxTable, logger: Logger) {
        self.store = OrdersStore(database: database, currency: currency, taxes: taxes)
        self.consumer = OrdersConsumer.make(database: database, logger: logger)
        self.authenticator = authenticator
    }

    /// The OpenAPI document served at `/openapi/orders.yaml`.
    public static var openAPIDocument: String { OrdersSpec.yaml }

    /// Mounts the service's routes under `/api/v1` on `router`, with idempotency on its own database.
    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        let group = router.group()
            .add(middleware: IdempotencyMiddleware(database: store.database, authenticator: authenticator))
        try OrdersHandler(store: store, authenticator: authenticator)
            .registerHandlers(
                on: group, serverURL: try Servers.Server1.url(), configuration: .sprocket,
                middlewares: [EmptyBodyMiddleware()])
    }
}
