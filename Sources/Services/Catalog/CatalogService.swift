import CatalogAPI
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceKit
import Storage

/// The catalog service as a process part: its store, routes and OpenAPI document.
public struct CatalogService: Sendable {
    public static let name = "catalog"
    public let store: CatalogStore
    private let authenticator: Authenticator

    public init(database: Database, authenticator: Authenticator, currency: String) {
        self.store = CatalogStore(database: database, currency: currency)
        self.authenticator = authenticator
    }

    /// The OpenAPI document served at `/openapi/catalog.yaml`.
    public static var openAPIDocument: String { CatalogSpec.yaml }

    /// Mounts the catalog's routes under `/api/v1` on `router`, with idempotency on its own database.
    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        let group = router.group()
            .add(middleware: IdempotencyMiddleware(database: store.database, authenticator: authenticator))
        try CatalogHandler(store: store, authenticator: authenticator)
            .registerHandlers(
                on: group, serverURL: try Servers.Server1.url(), configuration: .sprocket,
                middlewares: [EmptyBodyMiddleware()])
    }
}
