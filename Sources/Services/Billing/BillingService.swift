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
    public static var options: [ServiceOption] { [sellerName, sellerAddress, sellerVatId] }

    /// The seller printed on invoices: name, one-line address, VAT id.
    public static let sellerName = ServiceOption(
        "seller-name", default: "Sprocket Parts GmbH", deployed: true, help: "The seller's name on invoices.",
        problem: ServiceOption.line)
    public static let sellerAddress = ServiceOption(
        "seller-address", default: "Werkstattstraße 1, 10115 Berlin, Germany", deployed: true,
        help: "The seller's address on invoices, one line.", problem: ServiceOption.line)
    public static let sellerVatId = ServiceOption(
        "seller-vat-id", default: "DE000000000", deployed: true, help: "The seller's VAT id on invoices.",
        problem: ServiceOption.line)

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
            seller: Seller(
                name: settings.option(Self.sellerName), address: settings.option(Self.sellerAddress),
                vatId: settings.option(Self.sellerVatId)),
            currency: settings.currency)
        self.consumer = BillingConsumer.make(store: store, logger: context.logger)
        self.authenticator = context.authenticator
    }

    public var consumers: [EventConsumer] { [consumer] }

    public func registerRoutes(on router: Router<AppRequestContext>) throws {
        let pages = try BillingPages()
        try Self.mount(
            BillingHandler(store: store, pages: pages, authenticator: authenticator), on: router,
            database: store.database,
            authenticator: authenticator)
    }
}
