import CatalogAPI
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceKit
import Storage

/// The catalog service as a module: its store, routes, contract and schema.
public struct CatalogService: ServiceModule {
    /// The largest share of an embedded process's database cache: its data is read the most.
    public static var storageWeight: Int { 4 }

    public static let name = "catalog"
    public static var openAPIDocument: String { CatalogSpec.yaml }
    public static var contractGeneratedFrom: String { CatalogSpec.generatedFrom }
    public static var migrations: [Migration] { CatalogMigrations.all }

    public let store: CatalogStore
    private let authenticator: Authenticator
    private let logger: Logger

    public init(context: ServiceContext) {
        self.store = CatalogStore(database: context.database, currency: context.settings.currency)
        self.authenticator = context.authenticator
        self.logger = context.logger
    }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        try Self.mount(
            CatalogHandler(store: store, authenticator: authenticator, logger: logger), on: router,
            database: store.database,
            authenticator: authenticator)
    }
}
