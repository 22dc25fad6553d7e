import Foundation
import Hummingbird
import InventoryAPI
import Logging
import Messaging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceKit
import Storage

/// The inventory service as a module: store, saga consumer, routes, contract and schema.
public struct InventoryService: ServiceModule {
    /// A larger share of an embedded process's database cache than the smaller services'.
    public static var storageWeight: Int { 2 }

    public static let name = "inventory"
    public static var openAPIDocument: String { InventorySpec.yaml }
    public static var contractGeneratedFrom: String { InventorySpec.generatedFrom }
    public static var migrations: [Migration] { InventoryMigrations.all }

    /// Stock agrees with its ledger and its reservations, and every order was decided.
    public static func reconcile(_ database: Database) async throws -> [String] {
        try await InventoryReconciliation.violations(in: database)
    }

    public let store: InventoryStore
    /// Reserves and releases for orders; keeps the catalog's kits.
    public let consumer: EventConsumer
    private let authenticator: Authenticator

    public init(context: ServiceContext) {
        self.store = InventoryStore(database: context.database)
        self.consumer = InventoryConsumer.make(store: store, logger: context.logger)
        self.authenticator = context.authenticator
    }

    public var consumers: [EventConsumer] { [consumer] }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        try Self.mount(
            InventoryHandler(store: store, authenticator: authenticator), on: router, database: store.database,
            authenticator: authenticator)
    }
}
