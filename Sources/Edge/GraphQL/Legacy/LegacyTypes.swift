import GraphQL
import ServiceKit

/// The types of the legacy schema, named and shaped as the system Sprocket replaces wrote them
/// (snake_case fields, plain lists), each field read from the same service answers as the current
/// schema's: a field only renames or converts a member.
struct LegacyTypes {
    let user: GraphQLObjectType
    let product: GraphQLObjectType
    let order: GraphQLObjectType
    let token: GraphQLObjectType

    /// The legacy `type` of a user: 1 admin, 2 customer (the legacy "user"), 3 staff (Sprocket's own).
    static let userTypes: [(type: Int, role: String)] = [(1, "admin"), (2, "customer"), (3, "staff")]

    init() throws {
        typealias S = SchemaParts
        user = try GraphQLObjectType(
            name: "User", description: "An account. `type`: 1 admin, 2 customer, 3 staff.",
            fields: [
                "id": Self.renamed(S.required(GraphQLID), from: "id"),
                "email": S.member(S.required(GraphQLString)),
                "username": Self.renamed(S.required(GraphQLString), from: "name"),
                "type": S.field(S.required(GraphQLInt)) { source, _, _ in
                    let role = (source as? JSONNode)?.string("role")
                    return Self.userTypes.first { $0.role == role }.map { Map.number(Number($0.type)) }
                },
                "created_at": Self.renamed(S.required(GraphQLString), from: "createdAt"),
            ])
        let product = try GraphQLObjectType(
            name: "Product", description: "A part; `id` is its SKU.",
            fields: [
                "id": Self.renamed(S.required(GraphQLID), from: "sku"),
                "name": S.member(S.required(GraphQLString)),
                "description": S.member(S.required(GraphQLString)),
                "price": Self.amount(from: "price"),
                "currency": S.field(S.required(GraphQLString)) { source, _, _ in
                    (source as? JSONNode)?.members["price"]?["currency"]
                },
                "stock": S.field(S.required(GraphQLInt), "Units available to order, all warehouses together.") {
                    source, _, resolution in
                    guard let node = source as? JSONNode, let sku = node.string("sku") else { return nil }
                    if let known = node.members["stock"] { return known }
                    return try await resolution.availability(sku)?.members["available"] ?? Map.number(0)
                },
                "created_at": Self.renamed(S.required(GraphQLString), from: "createdAt"),
            ])
        self.product = product
        let orderProduct = try GraphQLObjectType(
            name: "OrderProduct",
            fields: [
                "product_id": Self.renamed(S.required(GraphQLID), from: "sku"),
                "quantity": S.member(S.required(GraphQLInt)),
                "price": Self.amount(from: "unitPrice", "The unit price."),
                "product": S.field(product, "The product as the catalog has it now.") { source, _, resolution in
                    guard let sku = (source as? JSONNode)?.string("sku") else { return nil }
                    return try await resolution.part(sku)
                },
            ])
        order = try GraphQLObjectType(
            name: "Order",
            fields: [
                "id": Self.renamed(S.required(GraphQLID), from: "id"),
                "number": S.member(S.required(GraphQLString)),
                "user_id": Self.renamed(S.required(GraphQLID), from: "customerId"),
                "status": S.member(S.required(GraphQLString)),
                "price_total": Self.amount(from: "total", "With tax."),
                "created_at": Self.renamed(S.required(GraphQLString), from: "createdAt"),
                "order_products": Self.renamed(S.list(orderProduct), from: "lines"),
            ])
        token = try GraphQLObjectType(
            name: "AuthPayload",
            fields: [
                "token": Self.renamed(S.required(GraphQLString), from: "accessToken"),
                "expires_at": Self.renamed(S.required(GraphQLString), from: "expiresAt"),
            ])
    }

    /// A field read from member `member` of the service's answer.
    static func renamed(_ type: any GraphQLOutputType, from member: String) -> GraphQLField {
        SchemaParts.field(type) { source, _, _ in (source as? JSONNode)?[member] }
    }

    /// A money member (`{amount, currency}`) as a plain number, as the legacy system wrote prices.
    static func amount(from member: String, _ description: String? = nil) -> GraphQLField {
        SchemaParts.field(SchemaParts.required(GraphQLFloat), description) { source, _, _ in
            guard let amount = (source as? JSONNode)?.members[member]?["amount"].text, let value = Double(amount) else {
                return nil
            }
            return Map.number(Number(value))
        }
    }
}
