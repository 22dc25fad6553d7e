import Foundation
import Hummingbird
import Logging
import Messaging
import OpenAPIHummingbird
import OpenAPIRuntime
import SalesAPI
import ServiceKit
import Storage

/// The sales service as a module: a read model of what sold, and its reports.
public struct SalesService: ServiceModule {
    public static let name = "sales"
    public static var openAPIDocument: String { SalesSpec.yaml }
    public static var contractGeneratedFrom: String { SalesSpec.generatedFrom }
    public static var migrations: [Migration] { SalesMigrations.all }

    /// Every counted order's lines add up to its net; cancelled orders are not counted.
    public static func reconcile(_ database: Database) async throws -> [String] {
        try await SalesReconciliation.violations(in: database)
    }

    public let store: SalesStore
    /// Records confirmed, cancelled and delivered orders.
    public let consumer: EventConsumer
    private let authenticator: Authenticator

    public init(context: ServiceContext) {
        self.store = SalesStore(database: context.database, currency: context.settings.currency)
        self.consumer = SalesConsumer.make(store: store, logger: context.logger)
        self.authenticator = context.authenticator
    }

    public var consumers: [EventConsumer] { [consumer] }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        try Self.mount(
            SalesHandler(store: store, authenticator: authenticator), on: router, database: store.database,
            authenticator: authenticator)
    }
}
