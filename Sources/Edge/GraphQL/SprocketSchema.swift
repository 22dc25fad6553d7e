import CatalogAPI
import CustomersAPI
import BillingAPI
import GraphQL
import OrderedCollections
import ShippingAPI
import OrdersAPI
import ServiceKit

/// The GraphQL schema: queries and mutations over the services, each resolved through the service's
/// REST contract (`APIProtocol`), so authorization and validation are the services' own. Built once;
/// `schema.graphql` is its printed form (``ContractDriftTests`` compares them).
public enum SprocketSchema {
    public static let schema: GraphQLSchema = {
        do { return try make() } catch { fatalError("The GraphQL schema does not build: \(error)") }
    }()

    /// The schema in the GraphQL schema language.
    public static var printed: String { printSchema(schema: schema) }

    static func make() throws -> GraphQLSchema {
        typealias S = SchemaParts
        let delivery = try DeliveryTypes()
        let catalog = try CatalogTypes(delivery: delivery)
        let accounts = try AccountTypes(catalog: catalog, delivery: delivery)
        let addressBook = try AddressBookFields(accounts: accounts)
        let staff = try StaffMutations(catalog: catalog)
        let partArguments = S.paged([
            "q": GraphQLArgument(
                type: GraphQLString, description: "Words that must all appear in SKU, name or description."),
            "fits": GraphQLArgument(type: GraphQLString, description: "Only parts that fit this model id."),
            "category": GraphQLArgument(type: GraphQLString, description: "A category id: it and those below."),
            "status": GraphQLArgument(type: CatalogTypes.partStatus),
            "kind": GraphQLArgument(type: CatalogTypes.partKind),
        ])
        let parts = S.field(S.required(catalog.partConnection), "Parts and kits by SKU.", args: partArguments) {
            _, args, resolution in
            let output = try await resolution.call {
                try await resolution.upstreams.catalog.listParts(
                    .init(
                        query: .init(
                            q: args["q"].text,
                            status: args["status"].text.flatMap(CatalogAPI.Components.Schemas.PartStatus.init),
                            kind: args["kind"].text.flatMap(CatalogAPI.Components.Schemas.PartKind.init),
                            fits: args["fits"].text,
                            category: args["category"].text, limit: try S.first(args), cursor: args["after"].text)))
            }
            let page = try JSONNode.from(try output.ok.body.json)
            resolution.expectParts(in: page, list: "components")
            return S.connection(page) { $0.string("sku") }
        }
        let part = S.field(
            catalog.part, "A part or kit by SKU; null when there is none.",
            args: ["sku": GraphQLArgument(type: S.required(GraphQLString))]
        ) {
            _, args, resolution in try await resolution.part(args["sku"].text ?? "")
        }
        var queries: GraphQLFieldMap = [
            "parts": parts, "products": parts, "part": part, "product": part,
            "models": S.field(
                S.required(catalog.modelConnection), "Models by id.",
                args: S.paged([
                    "q": GraphQLArgument(
                        type: GraphQLString, description: "Words in make, model, variant, engine, model number."),
                    "kind": GraphQLArgument(type: CatalogTypes.modelKind),
                    "make": GraphQLArgument(type: GraphQLString),
                ])
            ) { _, args, resolution in
                let output = try await resolution.call {
                    try await resolution.upstreams.catalog.listModels(
                        .init(
                            query: .init(
                                q: args["q"].text,
                                kind: args["kind"].text.flatMap(CatalogAPI.Components.Schemas.ModelKind.init),
                                make: args["make"].text, limit: try S.first(args), cursor: args["after"].text)))
                }
                return S.connection(try JSONNode.from(try output.ok.body.json)) { $0.string("id") }
            },
            "model": S.field(
                catalog.model, "A model by id; null when there is none.",
                args: ["id": GraphQLArgument(type: S.required(GraphQLString))]
            ) {
                _, args, resolution in
                do {
                    let output = try await resolution.call {
                        try await resolution.upstreams.catalog.getModel(
                            .init(path: .init(modelId: args["id"].text ?? "")))
                    }
                    return try JSONNode.from(try output.ok.body.json)
                } catch let problem as Problem where problem.status == 404 { return nil }
            },
            "categories": S.field(S.list(catalog.category), "Every category with its path.") { _, _, resolution in
                let output = try await resolution.call {
                    try await resolution.upstreams.catalog.listCategories(.init())
                }
                return try JSONNode.from(try output.ok.body.json)["items"]
            },
            "me": S.field(accounts.user, "The signed-in account; null without a token.") { _, _, resolution in
                do {
                    let output = try await resolution.call {
                        try await resolution.upstreams.customers.getCurrentCustomer(.init())
                    }
                    return try JSONNode.from(try output.ok.body.json)
                } catch let problem as Problem where problem.status == 401 { return nil }
            },
            "users": S.field(
                S.required(accounts.userConnection), "Accounts by email (admin).",
                args: S.paged([
                    "q": GraphQLArgument(type: GraphQLString, description: "Words in email or name."),
                    "role": GraphQLArgument(type: AccountTypes.role),
                ])
            ) { _, args, resolution in
                let output = try await resolution.call {
                    try await resolution.upstreams.customers.listCustomers(
                        .init(
                            query: .init(
                                role: args["role"].text.flatMap(CustomersAPI.Components.Schemas.Role.init),
                                q: args["q"].text,
                                limit: try S.first(args), cursor: args["after"].text)))
                }
                return S.connection(try JSONNode.from(try output.ok.body.json)) { $0.string("email") }
            },
            "user": S.field(
                accounts.user, "An account by id (admin; anyone their own); null when there is none.",
                args: ["id": GraphQLArgument(type: S.required(GraphQLString))]
            ) { _, args, resolution in try await AccountTypes.user(args["id"].text ?? "", resolution) },
            "orders": S.field(
                S.required(accounts.orderConnection),
                "Orders, newest first: a customer's own; staff and admin see all.",
                args: S.paged(["status": GraphQLArgument(type: AccountTypes.orderStatus)])
            ) { _, args, resolution in try await AccountTypes.orders(args, customerId: nil, resolution) },
            "order": S.field(
                accounts.order, "An order by id; null when there is none or it is another customer's.",
                args: ["id": GraphQLArgument(type: S.required(GraphQLString))]
            ) { _, args, resolution in try await AccountTypes.order(args["id"].text ?? "", resolution) },
        ]
        queries.merge(addressBook.query) { first, _ in first }
        let query = try GraphQLObjectType(name: "Query", fields: queries)
        var mutations: GraphQLFieldMap = [
            "registerUser": S.field(
                S.required(accounts.user), "Creates an account: a customer, or staff and admin when an admin asks.",
                args: [
                    "email": GraphQLArgument(type: S.required(GraphQLString)),
                    "password": GraphQLArgument(
                        type: S.required(GraphQLString), description: "At least 10 characters."),
                    "name": GraphQLArgument(type: S.required(GraphQLString)),
                    "role": GraphQLArgument(
                        type: AccountTypes.role, description: "customer when absent; staff and admin need an admin."),
                    "address": GraphQLArgument(
                        type: accounts.addressInput, description: "The first of the address book, its default."),
                ]
            ) { _, args, resolution in
                try await AccountTypes.register(
                    try JSONNode.decode(CustomersAPI.Components.Schemas.Registration.self, from: args), resolution)
            },
            "login": S.field(
                S.required(accounts.token), "A bearer token for an email and password.",
                args: [
                    "email": GraphQLArgument(type: S.required(GraphQLString)),
                    "password": GraphQLArgument(type: S.required(GraphQLString)),
                ]
            ) { _, args, resolution in
                try await AccountTypes.login(
                    try JSONNode.decode(CustomersAPI.Components.Schemas.Credentials.self, from: args), resolution)
            },
            "placeOrder": S.field(
                S.required(accounts.order), "Places an order for the signed-in account.",
                args: [
                    "order": GraphQLArgument(type: S.required(accounts.newOrder)),
                    "idempotencyKey": GraphQLArgument(
                        type: S.required(GraphQLString),
                        description: "A key of your own (up to 255 characters): the same key places the order once."
                    ),
                ]
            ) { _, args, resolution in
                let order = try JSONNode.decode(OrdersAPI.Components.Schemas.NewOrder.self, from: args["order"])
                return try await AccountTypes.placeOrder(order, key: args["idempotencyKey"].text ?? "", resolution)
            },
            "cancelOrder": S.field(
                S.required(accounts.order), "Cancels an order (its owner before it ships; staff, admin).",
                args: [
                    "id": GraphQLArgument(type: S.required(GraphQLString)),
                    "reason": GraphQLArgument(type: GraphQLString),
                ]
            ) { _, args, resolution in
                let output = try await resolution.call {
                    try await resolution.upstreams.orders.cancelOrder(
                        .init(
                            path: .init(id: args["id"].text ?? ""), body: .json(.init(reason: args["reason"].text)))
                    )
                }
                return try JSONNode.from(try output.ok.body.json)
            },
            "packSlip": S.field(
                S.required(delivery.packingSlip), "Marks an open packing slip packed (staff, admin).",
                args: ["id": GraphQLArgument(type: S.required(GraphQLString))]
            ) { _, args, resolution in
                let output = try await resolution.call {
                    try await resolution.upstreams.fulfillment.packPackingSlip(
                        .init(path: .init(id: args["id"].text ?? "")))
                }
                return try JSONNode.from(try output.ok.body.json)
            },
            "ship": S.field(
                S.required(delivery.shipment), "Hands a packed slip to a carrier (staff, admin).",
                args: [
                    "packingSlipId": GraphQLArgument(type: S.required(GraphQLString)),
                    "carrier": GraphQLArgument(type: S.required(GraphQLString)),
                    "trackingNumber": GraphQLArgument(type: S.required(GraphQLString)),
                    "idempotencyKey": GraphQLArgument(type: GraphQLString),
                ]
            ) { _, args, resolution in
                let shipment = try JSONNode.decode(ShippingAPI.Components.Schemas.NewShipment.self, from: args)
                let output = try await resolution.call {
                    try await resolution.upstreams.shipping.createShipment(
                        .init(headers: .init(idempotencyKey: args["idempotencyKey"].text), body: .json(shipment)))
                }
                return try JSONNode.from(try output.created.body.json)
            },
            "recordPayment": S.field(
                S.required(delivery.invoice), "Records a payment against an invoice (staff, admin).",
                args: [
                    "invoiceId": GraphQLArgument(type: S.required(GraphQLString)),
                    "payment": GraphQLArgument(type: S.required(delivery.paymentInput)),
                    "idempotencyKey": GraphQLArgument(
                        type: GraphQLString, description: "The same key records the payment once."),
                ]
            ) { _, args, resolution in
                let input = args["payment"]
                var body: [String: Map] = [
                    "amount": ["amount": input["amount"], "currency": input["currency"]],
                    "method": input["method"], "reference": input["reference"],
                ]
                if let at = input["at"].text { body["at"] = .string(at) }
                let payment = try JSONNode.decode(
                    BillingAPI.Components.Schemas.NewPayment.self,
                    from: .dictionary(OrderedDictionary(uniqueKeysWithValues: body.sorted { $0.key < $1.key })))
                let output = try await resolution.call {
                    try await resolution.upstreams.billing.recordPayment(
                        .init(
                            path: .init(id: args["invoiceId"].text ?? ""),
                            headers: .init(idempotencyKey: args["idempotencyKey"].text), body: .json(payment)))
                }
                return try JSONNode.from(try output.created.body.json)
            },
        ]
        mutations.merge(addressBook.mutations) { first, _ in first }
        mutations.merge(staff.fields) { first, _ in first }
        let mutation = try GraphQLObjectType(name: "Mutation", fields: mutations)
        let subscription = try GraphQLObjectType(
            name: "Subscription",
            fields: [
                "orderUpdated": S.field(
                    S.required(accounts.order),
                    """
                    The order now, then again after each change of its status: over WebSocket \
                    (graphql-transport-ws), for its owner, staff and admin.
                    """,
                    args: ["id": GraphQLArgument(type: S.required(GraphQLString))]
                ) { _, args, resolution in
                    let id = args["id"].text ?? ""
                    resolution.watch(order: id)
                    let output = try await resolution.call {
                        try await resolution.upstreams.orders.getOrder(.init(path: .init(id: id)))
                    }
                    let order = try JSONNode.from(try output.ok.body.json)
                    resolution.expectParts(in: order, list: "lines")
                    return order
                }
            ])
        return try GraphQLSchema(query: query, mutation: mutation, subscription: subscription)
    }
}
