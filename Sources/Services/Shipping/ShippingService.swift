import Foundation
import Hummingbird
import Logging
import Messaging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceKit
import ShippingAPI
import Storage

/// The shipping service as a module: shipments of packed slips and their tracking.
public struct ShippingService: ServiceModule {
    public static let name = "shipping"
    public static var openAPIDocument: String { ShippingSpec.yaml }
    public static var contractGeneratedFrom: String { ShippingSpec.generatedFrom }
    public static var migrations: [Migration] { ShippingMigrations.all }

    /// Shipments agree with their slips and their tracking.
    public static func reconcile(_ database: Database) async throws -> [String] {
        try await ShippingReconciliation.violations(in: database)
    }

    public let store: ShippingStore
    /// Learns packed and voided slips.
    public let consumer: EventConsumer
    private let authenticator: Authenticator

    public init(context: ServiceContext) {
        self.store = ShippingStore(database: context.database)
        self.consumer = ShippingConsumer.make(store: store, logger: context.logger)
        self.authenticator = context.authenticator
    }

    public var consumers: [EventConsumer] { [consumer] }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        try Self.mount(
            ShippingHandler(store: store, authenticator: authenticator), on: router, database: store.database,
            authenticator: authenticator)
    }
}
