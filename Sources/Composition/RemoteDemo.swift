import AsyncHTTPClient
import BillingAPI
import CatalogAPI
import CustomersAPI
import Foundation
import FulfillmentAPI
import HTTPTypes
import InventoryAPI
import OpenAPIRuntime
import OrdersAPI
import ServiceKit
import ShippingAPI

/// The demo sample loaded into a running system through its gateway (distributed mode, or any server),
/// with the services' generated clients: the same parts, graph, warehouses, accounts and orders as
/// ``DemoData/load(into:)``, through the REST API and its authorization, waiting for the events to travel
/// where they must. Loading twice adds nothing.
public struct RemoteDemo: Sendable {
    let gateway: String
    let currency: String
    let transport = PatientTransport(HTTPClientTransport(timeout: .seconds(30)))

    public init(gateway: String, currency: String) {
        self.gateway = gateway
        self.currency = currency
    }

    public struct Failed: Error, CustomStringConvertible {
        public let description: String
    }

    /// Clients calling as the holder of `token`.
    func clients(_ token: String?) -> Clients {
        Clients(transport: transport, server: gateway, token: token)
    }

    /// Loads everything, as the admin account `admin` (which must exist); returns how many parts and
    /// accounts were new, and how many demo orders were placed.
    public func load(admin: (email: String, password: String)) async throws -> (
        parts: Int, accounts: Int, orders: Int
    ) {
        let adminToken = try await token(admin.email, admin.password)
        let accounts = try await loadAccounts(adminToken)
        let parts = try await loadCatalog(clients(adminToken).catalog)
        try await loadInventory(clients(adminToken).inventory)
        let orders = try await placeOrders()
        return (parts, accounts, orders)
    }

    func token(_ email: String, _ password: String) async throws -> String {
        try await clients(nil).customers.issueToken(body: .json(.init(email: email, password: password))).ok.body
            .json.accessToken
    }

    /// The demo's staff and customer accounts (the admin made them: staff accounts need one), and the
    /// customer's second address.
    func loadAccounts(_ adminToken: String) async throws -> Int {
        var created = 0
        for account in DemoData.accounts where account.role != .admin {
            let customer = account.role == .customer
            let registration = CustomersAPI.Components.Schemas.Registration(
                email: account.email, password: account.password, name: account.role.rawValue.capitalized + " (demo)",
                role: .init(rawValue: account.role.rawValue), address: customer ? Self.book(DemoData.home) : nil)
            switch try await clients(adminToken).customers.registerCustomer(body: .json(registration)) {
            case .created: created += 1
            case .conflict: continue
            case let other: throw Failed(description: "registering \(account.email): \(other)")
            }
            if customer {
                _ = try await clients(try await token(account.email, account.password)).customers.addAddress(
                    body: .json(.init(address: Self.book(DemoData.garage), label: "Garage Martin"))
                ).created
            }
        }
        return created
    }

    /// Parts and kits with their categories, models, fitments and the superseded parts.
    func loadCatalog(_ catalog: CatalogAPI.Client) async throws -> Int {
        func category(_ sku: String) -> String? { DemoData.categoryByPrefix.first { sku.hasPrefix($0.0) }?.1 }
        func price(_ amount: String) -> CatalogAPI.Components.Schemas.Money {
            .init(amount: amount, currency: currency)
        }
        func exists(_ sku: String) async throws -> Bool {
            if case .ok = try await catalog.getPart(path: .init(sku: sku)) { return true }
            return false
        }
        var created = 0
        for (sku, name, amount, grams, attributes) in DemoData.parts where try await !exists(sku) {
            _ = try await catalog.createPart(
                body: .json(
                    .init(
                        sku: sku, name: name, description: name, price: price(amount), weightGrams: grams,
                        attributes: .init(additionalProperties: attributes), category: category(sku)))
            ).created
            created += 1
        }
        for (sku, name, amount, components) in DemoData.kits where try await !exists(sku) {
            _ = try await catalog.createPart(
                body: .json(
                    .init(
                        sku: sku, name: name, description: name, price: price(amount),
                        components: components.map { .init(sku: $0.0, quantity: $0.1) }, category: category(sku)))
            ).created
            created += 1
        }
        for (id, kind, make, model, variant, engine, from, to, number) in DemoData.models {
            guard case .notFound = try await catalog.getModel(path: .init(modelId: id)),
                let kind = CatalogAPI.Components.Schemas.ModelKind(rawValue: kind.rawValue)
            else { continue }
            _ = try await catalog.createModel(
                body: .json(
                    .init(
                        id: id, kind: kind, make: make, model: model, variant: variant, engine: engine, yearFrom: from,
                        yearTo: to, modelNumber: number))
            ).created
        }
        for (sku, models, position) in DemoData.fitments {
            for model in models {
                _ = try await catalog.fitPart(
                    path: .init(sku: sku, modelId: model), body: .json(.init(position: position))
                ).ok
            }
        }
        for old in DemoData.supersededParts where try await !exists(old.sku) {
            _ = try await catalog.createPart(
                body: .json(
                    .init(
                        sku: old.sku, name: old.name, description: old.name, price: price(old.price),
                        category: category(old.sku)))
            ).created
            _ = try await catalog.updatePart(path: .init(sku: old.sku), body: .json(.init(status: .discontinued))).ok
            _ = try await catalog.supersedePart(path: .init(sku: old.sku, newSku: old.by)).ok
            created += 1
        }
        return created
    }

    /// The warehouses, each stocked when it is new, with bins along an aisle.
    func loadInventory(_ inventory: InventoryAPI.Client) async throws {
        let existing = Set(try await inventory.listWarehouses().ok.body.json.items.map(\.code))
        for (code, name, country, region) in DemoData.warehouses where !existing.contains(code) {
            guard let country = InventoryAPI.Components.Schemas.CountryCode(rawValue: country) else { continue }
            _ = try await inventory.createWarehouse(
                body: .json(.init(code: code, name: name, country: country, region: region))
            ).created
            for (index, part) in DemoData.parts.enumerated() {
                guard let onHand = DemoData.stock(for: part.0, in: code) else { continue }
                let bin = String(format: "%@-%02d-%d", code == "MAD" ? "A" : "B", index / 4 + 1, index % 4 + 1)
                _ = try await inventory.setStock(
                    path: .init(code: code, sku: part.0),
                    body: .json(.init(onHand: onHand, bin: bin, reorderPoint: min(5, onHand)))
                ).ok
            }
        }
    }

    /// The demo customer's orders, each moved on as in the embedded demo once the saga decided it.
    func placeOrders() async throws -> Int {
        let customer = try await token("customer@example.com", "sprocket-customer")
        let staff = clients(try await token("staff@example.com", "sprocket-staff"))
        // Loaded before: the demo customer has orders (a replayed placement would not say how far it went).
        guard try await clients(customer).orders.listOrders(query: .init(limit: 1)).ok.body.json.items.isEmpty else {
            return 0
        }
        var placed = 0
        for plan in DemoData.orderPlans {
            let address = try Self.order(plan.address)
            let orders = clients(customer).orders
            let body = OrdersAPI.Operations.PlaceOrder.Input.Body.json(
                .init(
                    lines: plan.lines.map { .init(sku: $0.sku, quantity: $0.quantity) }, shippingAddress: address,
                    billingAddress: address))
            // The orders service learns the parts and the customer from events: retry until it has.
            var order: OrdersAPI.Components.Schemas.Order?
            for _ in 0..<300 where order == nil {
                if case .created(let created) = try await orders.placeOrder(
                    headers: .init(idempotencyKey: plan.key), body: body)
                {
                    order = try created.body.json
                } else {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            guard let order else { throw Failed(description: "the orders service never took \(plan.key)") }
            placed += 1
            let decided = try await eventually {
                let status = try await orders.getOrder(path: .init(id: order.id)).ok.body.json.status
                return status == .pendingConfirmation || status == .confirmed ? nil : status
            }
            guard decided == .sentToWarehouse else { continue }
            for step in plan.steps { try await run(step, order: order.id, staff: staff) }
        }
        return placed
    }

    /// One step of a demo order, by staff, once the events it needs have arrived.
    func run(_ step: DemoData.DemoStep, order id: String, staff: Clients) async throws {
        func slips(_ status: FulfillmentAPI.Components.Schemas.SlipStatus) async throws -> [String] {
            try await staff.fulfillment.listPackingSlips(query: .init(status: status, orderId: id)).ok.body.json.items
                .map(\.id)
        }
        switch step {
        case .pack:
            for slip in try await eventually({ try await slips(.open).nilIfEmpty }) {
                _ = try await staff.fulfillment.packPackingSlip(path: .init(id: slip)).ok
            }
        case .ship(let carrier, let trackingNumber):
            for slip in try await slips(.packed) {
                // Shipping learns of the packing from an event.
                _ = try await eventually {
                    let output = try await staff.shipping.createShipment(
                        body: .json(.init(packingSlipId: slip, carrier: carrier, trackingNumber: trackingNumber)))
                    if case .created = output { return true }
                    return nil
                }
            }
        case .inTransit(let location):
            for shipment in try await staff.shipping.listShipments(query: .init(orderId: id)).ok.body.json.items {
                _ = try await staff.shipping.addTrackingEvent(
                    path: .init(id: shipment.id), body: .json(.init(status: .inTransit, location: location))
                ).created
            }
        case .cancel:
            _ = try await staff.orders.cancelOrder(
                path: .init(id: id), body: .json(.init(reason: "demo: customer changed their mind"))
            ).ok
        case .pay(let amount, let reference):
            let invoice = try await eventually {
                try await staff.billing.listInvoices(query: .init(orderId: id)).ok.body.json.items.first
            }
            _ = try await staff.billing.recordPayment(
                path: .init(id: invoice.id),
                body: .json(
                    .init(
                        amount: .init(amount: amount ?? invoice.balance.amount, currency: invoice.balance.currency),
                        method: .bankTransfer, reference: reference))
            ).created
        }
    }

    /// What `read` returns once it returns something, within 60 s.
    func eventually<T>(_ read: () async throws -> T?) async throws -> T {
        for _ in 0..<600 {
            if let value = try await read() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failed(description: "the events the demo waits for did not arrive within 60 s")
    }

    static func book(_ address: Address) -> CustomersAPI.Components.Schemas.Address {
        .init(
            firstName: address.firstName, lastName: address.lastName, company: address.company, email: address.email,
            phone: address.phone, line1: address.line1, city: address.city, postalCode: address.postalCode,
            country: .init(rawValue: address.country) ?? .de)
    }

    static func order(_ address: Address) throws -> OrdersAPI.Components.Schemas.Address {
        guard let country = OrdersAPI.Components.Schemas.CountryCode(rawValue: address.country) else {
            throw Failed(description: "no country \(address.country)")
        }
        return .init(
            firstName: address.firstName, lastName: address.lastName, company: address.company, email: address.email,
            phone: address.phone, line1: address.line1, city: address.city, postalCode: address.postalCode,
            country: country)
    }
}

extension Array {
    /// `nil` when empty.
    fileprivate var nilIfEmpty: Self? { isEmpty ? nil : self }
}

/// Sends again, for up to two minutes, what found no one to answer it: a refused connection, or the
/// gateway's 502/503 while a service behind it starts. Nothing reached a service then, so repeating is safe.
struct PatientTransport: ClientTransport {
    let inner: any ClientTransport

    init(_ inner: any ClientTransport) { self.inner = inner }

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    ) {
        let bytes: [UInt8]? = if let body { try await [UInt8](collecting: body, upTo: 32 << 20) } else { nil }
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            do {
                let (response, answer) = try await inner.send(
                    request, body: bytes.map { HTTPBody($0) }, baseURL: baseURL, operationID: operationID)
                // 401 too: the demo's tokens are fresh, so a service that refuses one has not loaded the keys
                // of the service that signed it yet (both are starting); nothing was done either way.
                guard [.badGateway, .serviceUnavailable, .unauthorized].contains(response.status),
                    ContinuousClock.now < deadline
                else { return (response, answer) }
            } catch let error as HTTPClientError
                where (error == .deadlineExceeded || error == .readTimeout) && request.method != .get
            {
                throw error  // it may have been applied; a read is simply asked again
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}
