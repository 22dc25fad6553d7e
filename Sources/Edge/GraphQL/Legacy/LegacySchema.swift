import CatalogAPI
import CustomersAPI
import Foundation
import GraphQL
import OrdersAPI
import ServiceKit

/// The GraphQL API of the order system Sprocket replaces, served at `/graphql/legacy` so its clients run
/// unchanged: the same query and mutation names, `input:` arguments, plain lists and snake_case fields.
/// It only maps: every field calls the same services (and the same shared resolvers) as
/// ``SprocketSchema``, so authorization, validation and every business rule are theirs.
public enum LegacySchema {
    public static let schema: GraphQLSchema = {
        do { return try make() } catch { fatalError("The legacy GraphQL schema does not build: \(error)") }
    }()

    /// The schema in the GraphQL schema language.
    public static var printed: String { printSchema(schema: schema) }

    /// How many items a list answers when it is not told (`limit`: 1 to 200, as the REST lists).
    static let defaultLimit = 50

    static func make() throws -> GraphQLSchema {
        typealias S = SchemaParts
        let types = try LegacyTypes()
        let limit: GraphQLArgumentConfigMap = [
            "limit": GraphQLArgument(
                type: GraphQLInt, description: "1 to \(QueryLimits.maxPage) items; \(defaultLimit) when absent.")
        ]
        let id: GraphQLArgumentConfigMap = ["id": GraphQLArgument(type: S.required(GraphQLID))]
        let query = try GraphQLObjectType(
            name: "Query",
            fields: [
                "users": S.field(S.list(types.user), "Accounts by email (admin).", args: limit) {
                    _, args, resolution in
                    let output = try await resolution.call {
                        try await resolution.upstreams.customers.listCustomers(
                            .init(query: .init(limit: try Self.limit(args))))
                    }
                    return try JSONNode.from(try output.ok.body.json)["items"]
                },
                "user": S.field(types.user, "An account (admin; anyone their own); null when there is none.", args: id)
                {
                    _, args, resolution in try await AccountTypes.user(args["id"].text ?? "", resolution)
                },
                "products": S.field(S.list(types.product), "Products by SKU.", args: limit) { _, args, resolution in
                    let output = try await resolution.call {
                        try await resolution.upstreams.catalog.listParts(
                            .init(query: .init(limit: try Self.limit(args))))
                    }
                    let page = try JSONNode.from(try output.ok.body.json)
                    resolution.expectParts(in: page, list: "components")
                    return page["items"]
                },
                "product": S.field(types.product, "A product by its id (SKU); null when there is none.", args: id) {
                    _, args, resolution in try await resolution.part(args["id"].text ?? "")
                },
                "orders": S.field(
                    S.list(types.order), "Orders, newest first: a customer's own; staff and admin see all.", args: limit
                ) { _, args, resolution in
                    let output = try await resolution.call {
                        try await resolution.upstreams.orders.listOrders(
                            .init(query: .init(limit: try Self.limit(args))))
                    }
                    let page = try JSONNode.from(try output.ok.body.json)
                    resolution.expectParts(in: page, list: "lines")
                    return page["items"]
                },
                "order": S.field(
                    types.order, "An order; null when there is none or it is another customer's.", args: id
                ) {
                    _, args, resolution in try await AccountTypes.order(args["id"].text ?? "", resolution)
                },
            ])
        let inputs = try LegacyInputs()
        let mutation = try GraphQLObjectType(
            name: "Mutation",
            fields: [
                "registerUser": S.field(
                    S.required(types.user),
                    "Creates an account; `type` 1 (admin) or 3 (staff) only when an admin asks.",
                    args: ["input": GraphQLArgument(type: S.required(inputs.registerUser))]
                ) { _, args, resolution in
                    try await AccountTypes.register(try LegacyInputs.registration(args["input"]), resolution)
                },
                "login": S.field(
                    S.required(types.token), "A bearer token for an email and password.",
                    args: ["input": GraphQLArgument(type: S.required(inputs.login))]
                ) { _, args, resolution in
                    try await AccountTypes.login(
                        try JSONNode.decode(CustomersAPI.Components.Schemas.Credentials.self, from: args["input"]),
                        resolution)
                },
                "placeOrder": S.field(
                    S.required(types.order),
                    "Places an order for the signed-in account, to the default addresses of its address book.",
                    args: ["input": GraphQLArgument(type: S.required(inputs.placeOrder))]
                ) { _, args, resolution in
                    let input = args["input"]
                    return try await AccountTypes.placeOrder(
                        try LegacyInputs.order(input), key: input["idempotency_key"].text, resolution)
                },
                "createProduct": S.field(
                    S.required(types.product),
                    "Creates a product (admin), with its opening `stock` in the default warehouse.",
                    args: ["input": GraphQLArgument(type: S.required(inputs.createProduct))]
                ) { _, args, resolution in
                    let input = args["input"]
                    let part = try LegacyInputs.part(input, currency: resolution.currency)
                    var created = try await StaffMutations.createPart(part, key: nil, resolution).members
                    if let stock = try LegacyInputs.openingStock(input) {
                        let row = try await StaffMutations.adjustStock(
                            sku: part.sku, warehouse: nil,
                            .count(.init(onHand: stock, reason: "createProduct: opening stock")),
                            key: nil, resolution)
                        created["stock"] = row.members["available"]
                    }
                    return JSONNode(members: created)
                },
                "updateInventory": S.field(
                    S.required(types.product),
                    "Changes a product's stock in the default warehouse: `type` 1 adds `number`, 2 subtracts it, 3 empties the stock (the ledger keeps every change).",
                    args: ["input": GraphQLArgument(type: S.required(inputs.updateInventory))]
                ) { _, args, resolution in
                    let input = args["input"]
                    let sku = input["id"].text ?? ""
                    guard let product = try await resolution.part(sku) else {
                        throw Problem.notFound("catalog.part_not_found", "There is no product \(sku).")
                    }
                    _ = try await StaffMutations.adjustStock(
                        sku: sku, warehouse: nil, try LegacyInputs.adjustment(input), key: nil, resolution)
                    return product
                },
            ])
        return try GraphQLSchema(query: query, mutation: mutation)
    }

    /// `limit` validated: 1 to ``QueryLimits/maxPage``.
    static func limit(_ args: Map) throws -> Int {
        guard let limit = args["limit"].int else { return defaultLimit }
        guard (1...QueryLimits.maxPage).contains(limit) else {
            throw Problem.validation([FieldError(field: "limit", message: "must be 1 to \(QueryLimits.maxPage)")])
        }
        return limit
    }
}
