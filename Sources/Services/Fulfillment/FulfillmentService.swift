import Foundation
import FulfillmentAPI
import Hummingbird
import Logging
import Messaging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceKit
import Storage

/// The fulfillment service as a module: packing slips made from confirmed orders, their pages, the pick list.
public struct FulfillmentService: ServiceModule {
    public static let name = "fulfillment"
    public static var openAPIDocument: String { FulfillmentSpec.yaml }
    public static var contractGeneratedFrom: String { FulfillmentSpec.generatedFrom }
    public static var migrations: [Migration] { FulfillmentMigrations.all }

    /// Every slip agrees with its order's slip count and has lines.
    public static func reconcile(_ database: Database) async throws -> [String] {
        try await FulfillmentReconciliation.violations(in: database)
    }

    public let store: FulfillmentStore
    /// Makes slips for confirmed orders, voids them for cancelled ones, keeps part names.
    public let consumer: EventConsumer
    private let authenticator: Authenticator

    public init(context: ServiceContext) {
        self.store = FulfillmentStore(database: context.database)
        self.consumer = FulfillmentConsumer.make(store: store, logger: context.logger)
        self.authenticator = context.authenticator
    }

    public var consumers: [EventConsumer] { [consumer] }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        let pages = try FulfillmentPages()
        try Self.mount(
            FulfillmentHandler(store: store, pages: pages, authenticator: authenticator), on: router,
            database: store.database,
            authenticator: authenticator)
    }
}
