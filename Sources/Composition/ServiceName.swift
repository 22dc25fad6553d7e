import Billing
import Catalog
import Customers
import Fulfillment
import Inventory
import Orders
import Sales
import ServiceKit
import Shipping

/// A service of the system, and the one list of them: `serve`, `serve --service`, `migrate`, `demo`, the
/// events commands, the tests, ``Topology`` (`sprocket topology`: the scripts' and the tests' clusters) and
/// the deployment files (`sprocket deploy render`) all iterate ``allCases``.
///
/// Adding a service is a folder under `Sources/Services` (a ``ServiceModule``), its line in `Package.swift`,
/// and one line here: the module and its port in a local cluster.
public struct ServiceName: Hashable, Sendable, CaseIterable, RawRepresentable, CustomStringConvertible {
    /// Every service, in the order the embedded system builds them.
    public static let allCases: [ServiceName] = [
        ServiceName(CatalogService.self, portOffset: 1),
        ServiceName(CustomersService.self, portOffset: 2),
        ServiceName(InventoryService.self, portOffset: 4),
        ServiceName(OrdersService.self, portOffset: 3),
        ServiceName(FulfillmentService.self, portOffset: 5),
        ServiceName(ShippingService.self, portOffset: 6),
        ServiceName(BillingService.self, portOffset: 7),
        ServiceName(SalesService.self, portOffset: 8),
    ]

    /// The service's name (its module's ``ServiceModule/name``): `--service`, database, URL prefix.
    public let rawValue: String
    /// The module that builds this service.
    public let module: any ServiceModule.Type
    /// Its port in a local cluster, after the base (`scripts/dev-cluster`: 8100 + this).
    public let portOffset: Int

    private init(_ module: any ServiceModule.Type, portOffset: Int) {
        self.rawValue = module.name
        self.module = module
        self.portOffset = portOffset
    }

    /// The service named `rawValue`, if there is one.
    public init?(rawValue: String) {
        guard let found = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = found
    }

    public static func == (left: ServiceName, right: ServiceName) -> Bool { left.rawValue == right.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public var description: String { rawValue }

    /// The order processes start in: the services that issue access tokens first (the others fetch their
    /// keys at start), then as declared.
    public static var startOrder: [ServiceName] {
        allCases.filter { $0.issuesTokens } + allCases.filter { !$0.issuesTokens }
    }

    /// Every service's own options, with the service that owns each.
    public static var allOptions: [(service: String, option: ServiceOption)] {
        allCases.flatMap { service in service.module.options.map { (service.rawValue, $0) } }
    }

    /// The services' options as `--help` lists them.
    public static var optionsHelp: String {
        "Settings the services own (each also a SPROCKET_ variable):\n" + ServiceOptions.help(allOptions)
    }

    /// The service that signs access tokens (the first to start; every other is told where it is).
    public static var tokenIssuer: ServiceName? { allCases.first { $0.issuesTokens } }

    /// Whether the service signs access tokens (its keys are what every other service verifies).
    public var issuesTokens: Bool { module.issuesAccessTokens }
}
