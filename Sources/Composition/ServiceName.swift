import Billing
import Catalog
import Customers
import Fulfillment
import Inventory
import Orders
import Sales
import ServiceKit
import Shipping

/// Every service of the system, in start order: the one list that `serve`, `serve --service`,
/// `migrate`, `demo`, the events commands and the tests iterate.
///
/// Adding a service is a folder under `Sources/Services` (a ``ServiceModule``) and one case here.
public enum ServiceName: String, CaseIterable, Sendable {
    case catalog
    case customers
    case inventory
    case orders
    case fulfillment
    case shipping
    case billing
    case sales

    /// The module that builds this service.
    public var module: any ServiceModule.Type {
        switch self {
        case .catalog: CatalogService.self
        case .customers: CustomersService.self
        case .inventory: InventoryService.self
        case .orders: OrdersService.self
        case .fulfillment: FulfillmentService.self
        case .shipping: ShippingService.self
        case .billing: BillingService.self
        case .sales: SalesService.self
        }
    }
}
