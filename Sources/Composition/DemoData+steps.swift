import Billing
import Foundation
import Fulfillment
import Orders
import ServiceKit
import Shipping

extension DemoData {
    /// What happens to a demo order after its slips exist, through the services' stores as staff would.
    enum DemoStep {
        case pack
        case ship(carrier: String, trackingNumber: String)
        case inTransit(location: String)
        case cancel
        /// A payment on the order's invoice: `amount`, or the whole balance when `nil`.
        case pay(amount: String?, reference: String)

        func run(order id: String, in system: EmbeddedSystem, staff: String) async throws {
            guard let fulfillment = system.service(FulfillmentService.self),
                let shipping = system.service(ShippingService.self), let orders = system.service(OrdersService.self)
            else { return }
            let slips = try await fulfillment.store.list(SlipFilter(orderId: id), page: PageRequest(limit: 10)).items
            switch self {
            case .pack:
                for slip in slips where slip.status == .open {
                    _ = try await fulfillment.store.pack(slip.id, actor: staff)
                }
            case .ship(let carrier, let trackingNumber):
                for slip in slips where slip.status == .packed {
                    _ = try await shipping.store.ship(
                        slipId: slip.id, carrier: carrier, trackingNumber: trackingNumber, actor: staff)
                }
            case .inTransit(let location):
                for shipment in try await shipping.store.list(ShipmentFilter(orderId: id), page: PageRequest(limit: 10))
                    .items
                {
                    _ = try await shipping.store.track(
                        shipment.id, status: .inTransit, at: nil, location: location, actor: staff)
                }
            case .cancel:
                _ = try await orders.store.move(
                    id, to: .cancelled, actor: staff, reason: "demo: customer changed their mind")
            case .pay(let amount, let reference):
                guard let billing = system.service(BillingService.self),
                    let invoice = try await billing.store.list(InvoiceFilter(orderId: id), page: PageRequest(limit: 1))
                        .items.first,
                    let money = amount.map({ Money(decimal: $0, currency: invoice.currency) })
                        ?? Money(minorUnits: invoice.balance, currency: invoice.currency)
                else { return }
                _ = try await billing.store.recordPayment(
                    invoice.id, amount: money, method: "bank_transfer", reference: reference, at: nil, actor: staff)
            }
        }
    }
}
