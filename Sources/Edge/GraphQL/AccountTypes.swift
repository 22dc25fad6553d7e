import CustomersAPI
import GraphQL
import OrdersAPI
import ServiceKit

/// Accounts and orders in the schema.
struct AccountTypes {
    let user: GraphQLObjectType
    let userConnection: GraphQLObjectType
    let token: GraphQLObjectType
    let order: GraphQLObjectType
    let orderConnection: GraphQLObjectType
    let newOrder: GraphQLInputObjectType
    let addressInput: GraphQLInputObjectType

    static let role = SchemaParts.enumeration("Role", ["customer", "staff", "admin"])
    static let orderStatus = SchemaParts.enumeration(
        "OrderStatus",
        ["pending_confirmation", "confirmed", "sent_to_warehouse", "shipped", "in_transit", "delivered", "cancelled"])

    init(catalog: CatalogTypes, delivery: DeliveryTypes) throws {
        typealias S = SchemaParts
        let address = S.address
        let line = try GraphQLObjectType(
            name: "OrderLine",
            fields: [
                "sku": S.member(S.required(GraphQLString)), "name": S.member(S.required(GraphQLString)),
                "quantity": S.member(S.required(GraphQLInt)), "unitPrice": S.member(S.required(S.money)),
                "lineTotal": S.member(S.required(S.money)),
                "part": S.field(catalog.part, "The part as the catalog has it now (null if it is gone).") {
                    source, _, resolution in
                    guard let sku = (source as? JSONNode)?.string("sku") else { return nil }
                    return try await resolution.part(sku)
                },
            ])
        let historyEntry = try GraphQLObjectType(
            name: "HistoryEntry", description: "One status change.",
            fields: [
                "from": S.member(Self.orderStatus), "to": S.member(S.required(Self.orderStatus)),
                "at": S.member(S.required(S.dateTime)), "actor": S.member(S.required(GraphQLString)),
                "reason": S.member(GraphQLString),
            ])
        let order = try GraphQLObjectType(
            name: "Order",
            fields: [
                "id": S.member(S.required(GraphQLString)), "number": S.member(S.required(GraphQLString)),
                "customerId": S.member(S.required(GraphQLString)), "status": S.member(S.required(Self.orderStatus)),
                "lines": S.member(S.list(line)), "shippingAddress": S.member(S.required(address)),
                "billingAddress": S.member(S.required(address)), "subtotal": S.member(S.required(S.money)),
                "tax": S.member(S.required(S.money)), "taxRate": S.member(S.required(GraphQLString)),
                "total": S.member(S.required(S.money)), "currency": S.member(S.required(GraphQLString)),
                "createdAt": S.member(S.required(S.dateTime)), "updatedAt": S.member(S.required(S.dateTime)),
                "version": S.member(S.required(GraphQLInt)),
                "packingSlips": S.field(
                    GraphQLList(GraphQLNonNull(delivery.packingSlip)),
                    "Its packing slips (staff and admin; null for others)."
                ) {
                    source, _, resolution in
                    guard let id = (source as? JSONNode)?.string("id") else { return nil }
                    return try await DeliveryTypes.slips(of: id, resolution)
                },
                "shipments": S.field(
                    GraphQLList(GraphQLNonNull(delivery.shipment)), "Its shipments with their tracking."
                ) {
                    source, _, resolution in
                    guard let id = (source as? JSONNode)?.string("id") else { return nil }
                    return try await DeliveryTypes.shipments(of: id, resolution)
                },
                "invoices": S.field(
                    GraphQLList(GraphQLNonNull(delivery.invoice)), "Its invoices with payments and credit notes."
                ) {
                    source, _, resolution in
                    guard let id = (source as? JSONNode)?.string("id") else { return nil }
                    return try await DeliveryTypes.invoices(of: id, resolution)
                },
                "history": S.field(S.list(historyEntry), "Every status change, oldest first.") {
                    source, _, resolution in
                    guard let id = (source as? JSONNode)?.string("id") else { return nil }
                    let output = try await resolution.call {
                        try await resolution.upstreams.orders.getOrderHistory(.init(path: .init(id: id)))
                    }
                    return try JSONNode.from(try output.ok.body.json)["items"]
                },
            ])
        let orderConnection = try S.connection(of: order)
        let user = try GraphQLObjectType(
            name: "User", description: "An account: customer, staff or admin.", fields: [:])
        user.fields = {
            [
                "id": S.member(S.required(GraphQLString)), "email": S.member(S.required(GraphQLString)),
                "name": S.member(S.required(GraphQLString)), "role": S.member(S.required(Self.role)),
                "createdAt": S.member(S.required(S.dateTime)),
                "orders": S.field(
                    S.required(orderConnection), "The account's orders, newest first.",
                    args: S.paged(["status": GraphQLArgument(type: Self.orderStatus)])
                ) { source, args, resolution in
                    guard let id = (source as? JSONNode)?.string("id") else { return nil }
                    return try await Self.orders(args, customerId: id, resolution)
                },
            ]
        }
        self.user = user
        self.userConnection = try S.connection(of: user)
        self.order = order
        self.orderConnection = orderConnection
        self.token = try GraphQLObjectType(
            name: "AuthPayload", description: "A bearer token for the REST and GraphQL APIs.",
            fields: [
                "accessToken": S.member(S.required(GraphQLString)), "tokenType": S.member(S.required(GraphQLString)),
                "expiresIn": S.member(S.required(GraphQLInt), "Seconds until it expires."),
                "expiresAt": S.member(S.required(S.dateTime)),
            ])
        let addressInput = try GraphQLInputObjectType(
            name: "AddressInput",
            fields: [
                "firstName": InputObjectField(type: S.required(GraphQLString)),
                "lastName": InputObjectField(type: S.required(GraphQLString)),
                "company": InputObjectField(type: GraphQLString), "email": InputObjectField(type: GraphQLString),
                "phone": InputObjectField(type: GraphQLString),
                "line1": InputObjectField(type: S.required(GraphQLString)),
                "line2": InputObjectField(type: GraphQLString), "line3": InputObjectField(type: GraphQLString),
                "city": InputObjectField(type: S.required(GraphQLString)),
                "region": InputObjectField(type: GraphQLString),
                "postalCode": InputObjectField(type: S.required(GraphQLString)),
                "country": InputObjectField(type: S.required(GraphQLString)),
            ])
        let lineInput = try GraphQLInputObjectType(
            name: "NewOrderLine",
            fields: [
                "sku": InputObjectField(type: S.required(GraphQLString)),
                "quantity": InputObjectField(type: S.required(GraphQLInt)),
            ])
        self.addressInput = addressInput
        self.newOrder = try GraphQLInputObjectType(
            name: "NewOrder",
            fields: [
                "lines": InputObjectField(type: S.list(lineInput), description: "1 to 200 lines."),
                "shippingAddress": InputObjectField(
                    type: addressInput, description: "The default shipping address of your address book when absent."),
                "billingAddress": InputObjectField(
                    type: addressInput, description: "The default billing address of your address book when absent."),
            ])
    }

    /// Account `id` (admin; anyone their own), or `nil` when there is none or it is not the caller's to see.
    static func user(_ id: String, _ resolution: Resolution) async throws -> JSONNode? {
        do {
            let output = try await resolution.call {
                try await resolution.upstreams.customers.getCustomer(.init(path: .init(id: id)))
            }
            return try JSONNode.from(try output.ok.body.json)
        } catch let problem as Problem where problem.status == 404 { return nil }
    }

    /// Order `id` (its parts expected), or `nil` when there is none or it is another customer's.
    static func order(_ id: String, _ resolution: Resolution) async throws -> JSONNode? {
        do {
            let output = try await resolution.call {
                try await resolution.upstreams.orders.getOrder(.init(path: .init(id: id)))
            }
            let order = try JSONNode.from(try output.ok.body.json)
            resolution.expectParts(in: order, list: "lines")
            return order
        } catch let problem as Problem where problem.status == 404 { return nil }
    }

    /// Registers an account.
    static func register(
        _ registration: CustomersAPI.Components.Schemas.Registration, _ resolution: Resolution
    ) async throws -> JSONNode {
        let output = try await resolution.call {
            try await resolution.upstreams.customers.registerCustomer(.init(body: .json(registration)))
        }
        return try JSONNode.from(try output.created.body.json)
    }

    /// A token for `credentials`.
    static func login(
        _ credentials: CustomersAPI.Components.Schemas.Credentials, _ resolution: Resolution
    ) async throws -> JSONNode {
        let output = try await resolution.call {
            try await resolution.upstreams.customers.issueToken(.init(body: .json(credentials)))
        }
        return try JSONNode.from(try output.ok.body.json)
    }

    /// Places `order` for the signed-in account, once per `key` when there is one.
    static func placeOrder(
        _ order: OrdersAPI.Components.Schemas.NewOrder, key: String?, _ resolution: Resolution
    ) async throws -> JSONNode {
        let output = try await resolution.call {
            try await resolution.upstreams.orders.placeOrder(
                .init(headers: .init(idempotencyKey: key), body: .json(order)))
        }
        return try JSONNode.from(try output.created.body.json)
    }

    /// A page of orders: a customer's own, or (staff, admin) everyone's or `customerId`'s.
    static func orders(_ args: Map, customerId: String?, _ resolution: Resolution) async throws -> (any Sendable)? {
        let status = try args["status"].text.map { value in
            guard let status = OrdersAPI.Components.Schemas.OrderStatus(rawValue: value) else {
                throw Problem.validation([FieldError(field: "status", message: "is not an order status")])
            }
            return status
        }
        let output = try await resolution.call {
            try await resolution.upstreams.orders.listOrders(
                .init(
                    query: .init(
                        status: status, customerId: customerId, limit: try SchemaParts.first(args),
                        cursor: args["after"].text)))
        }
        let page = try JSONNode.from(try output.ok.body.json)
        resolution.expectParts(in: page, list: "lines")
        return SchemaParts.connection(page) { _ in nil }
    }
}
