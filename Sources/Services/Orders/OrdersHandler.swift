import Foundation
import OrdersAPI
import ServiceKit
import Storage

/// The orders service's HTTP API: maps generated types to the store and back, and enforces who may see
/// and move which order.
struct OrdersHandler: APIProtocol, ContractHandler {
    let store: OrdersStore
    let authenticator: Authenticator

    func placeOrder(_ input: Operations.PlaceOrder.Input) async throws -> Operations.PlaceOrder.Output {
        let principal = try await authenticator.principal()
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the order as JSON.") }
        let draft = OrderDraft(
            lines: body.lines.map { ($0.sku, $0.quantity) },
            shippingAddress: body.shippingAddress.map(OrderMapping.address),
            billingAddress: body.billingAddress.map(OrderMapping.address)
        )
        let order = try await store.place(
            draft, customerId: principal.subject, idempotencyKey: input.headers.idempotencyKey)
        return .created(.init(body: .json(try OrderMapping.order(order))))
    }

    func listOrders(_ input: Operations.ListOrders.Input) async throws -> Operations.ListOrders.Output {
        let principal = try await authenticator.principal()
        let query = input.query
        let page = try PageRequest(limit: query.limit, cursor: query.cursor, keyCount: 2)
        var validator = Validator()
        if let country = query.shippingCountry {
            validator.check(
                country.count == 2 && country.allSatisfy(\.isLetter), "shippingCountry",
                "must be an ISO 3166-1 alpha-2 code")
        }
        if let number = query.number {
            validator.check(
                number.count <= 40 && number.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }), "number",
                "must be at most 40 visible ASCII characters")
        }
        try validator.throwIfInvalid()
        let filter = OrderFilter(
            status: query.status.flatMap { OrderStatus(rawValue: $0.rawValue) }, number: query.number,
            customerId: principal.isStaff ? query.customerId : principal.subject,
            shippingCity: query.shippingCity, shippingCountry: query.shippingCountry, from: query.from, to: query.to
        )
        let result = try await store.list(filter, page: page)
        return .ok(
            .init(body: .json(.init(items: try result.items.map(OrderMapping.order), nextCursor: result.nextCursor))))
    }

    func getOrder(_ input: Operations.GetOrder.Input) async throws -> Operations.GetOrder.Output {
        let order = try await visibleOrder(input.path.id)
        return .ok(.init(body: .json(try OrderMapping.order(order))))
    }

    func moveOrder(_ input: Operations.MoveOrder.Input) async throws -> Operations.MoveOrder.Output {
        let principal = try await authenticator.require(.staff, .admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the move as JSON.") }
        let reason = try Self.reason(body.reason)
        guard let status = OrderStatus(rawValue: body.status.rawValue) else {
            throw Problem.malformed("Unknown status.")
        }
        let order = try await store.move(input.path.id, to: status, actor: principal.subject, reason: reason)
        return .ok(.init(body: .json(try OrderMapping.order(order))))
    }

    func cancelOrder(_ input: Operations.CancelOrder.Input) async throws -> Operations.CancelOrder.Output {
        let principal = try await authenticator.principal()
        var reason: String?
        if case .json(let body)? = input.body { reason = try Self.reason(body.reason) }
        let order = try await store.move(input.path.id, to: .cancelled, actor: principal.subject, reason: reason) {
            order in
            guard !principal.isStaff else { return }
            guard order.customerId == principal.subject else { throw OrderProblems.notFound(order.id) }
            guard [.pendingConfirmation, .confirmed, .sentToWarehouse].contains(order.status) else {
                throw Problem.conflict(
                    "order.cancel_not_allowed",
                    "Customers can cancel until an order ships; this one is \(order.status.rawValue). Ask our staff.",
                    allowed: []
                )
            }
        }
        return .ok(.init(body: .json(try OrderMapping.order(order))))
    }

    func getOrderHistory(_ input: Operations.GetOrderHistory.Input) async throws -> Operations.GetOrderHistory.Output {
        let order = try await visibleOrder(input.path.id)
        let history = try await store.history(order.id)
        return .ok(.init(body: .json(.init(items: history.map(OrderMapping.history)))))
    }

    /// The order, if the caller may see it: staff see all, customers their own (others are 404).
    private func visibleOrder(_ id: String) async throws -> Order {
        let principal = try await authenticator.principal()
        guard let order = try await store.order(id), principal.isStaff || order.customerId == principal.subject else {
            throw OrderProblems.notFound(id)
        }
        return order
    }

    private static func reason(_ text: String?) throws(Problem) -> String? {
        guard let text = text?.trimmed, !text.isEmpty else { return nil }
        guard text.count <= 500 else {
            throw Problem.validation([FieldError(field: "reason", message: "must be at most 500 characters")])
        }
        return text
    }
}
