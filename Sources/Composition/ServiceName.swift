import Catalog
import Customers
import Inventory
import Orders
import ServiceKit

/// Every service of the system, in start order: the one list that `serve`, `serve --service`,
/// `migrate`, `demo`, the events commands and the tests iterate.
///
/// Adding a service is a folder under `Sources/Services` (a ``ServiceModule``) and one case here.
public enum ServiceName: String, CaseIterable, Sendable {
    case catalog
    case customers
    case inventory
    case orders

    /// The module that builds this service.
    public var module: any ServiceModule.Type {
        switch self {
        case .catalog: CatalogService.self
        case .customers: CustomersService.self
        case .inventory: InventoryService.self
        case .orders: OrdersService.self
        }
    }
}
