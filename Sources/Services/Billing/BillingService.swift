import BillingAPI
import Foundation
import Hummingbird
import Logging
import Messaging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceKit
import Storage

/// The billing service as a module: invoices for confirmed orders, credit notes for cancelled ones, payments.
public struct BillingService: ServiceModule {
    public static let name = "billing"
    public static var openAPIDocument: String { BillingSpec.yaml }
    public static var contractGeneratedFrom: String { BillingSpec.generatedFrom }
    public static var migrations: [Migration] { BillingMigrations.all }
    public static var deploymentEnvironment: [(name: String, value: String)] {
        [
            ("SPROCKET_SELLER_NAME", "Sprocket Parts GmbH"),
            ("SPROCKET_SELLER_ADDRESS", "Werkstattstraße 1, 10115 Berlin, Germany"),
            ("SPROCKET_SELLER_VAT_ID", "DE000000000"),
        ]
    }

    /// Invoices agree with their lines, payments and credit notes; numbers have no gaps.
    public static func reconcile(_ database: Database) async throws -> [String] {
        try await BillingChecks.violations(in: database)
    }

    public let store: BillingStore
    /// Issues invoices and credit notes from the order events.
    public let consumer: EventConsumer
    private let authenticator: Authenticator

    public init(context: ServiceContext) {
        let settings = context.settings
        self.store = BillingStore(
            database: context.database,
            seller: Seller(name: settings.sellerName, address: settings.sellerAddress, vatId: settings.sellerVatId),
            currency: settings.currency)
        self.consumer = BillingConsumer.make(store: store, logger: context.logger)
        self.authenticator = context.authenticator
    }

    public var consumers: [EventConsumer] { [consumer] }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        let pages = try BillingPages()
        try Self.mount(on: router, database: store.database, authenticator: authenticator) { group in
            try BillingHandler(store: store, pages: pages, authenticator: authenticator).registerHandlers(
                on: group, serverURL: try Servers.Server1.url(), configuration: .sprocket,
                middlewares: [EmptyBodyMiddleware()])
        }
    }
}
