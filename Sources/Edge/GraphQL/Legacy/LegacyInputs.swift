import CatalogAPI
import CustomersAPI
import Foundation
import GraphQL
import InventoryAPI
import OrdersAPI
import ServiceKit
import Storage

/// The legacy schema's `input:` objects, and how each becomes the request body of a service: names
/// mapped, numbers written as the services read them. Values are checked by the services themselves.
struct LegacyInputs {
    let registerUser: GraphQLInputObjectType
    let login: GraphQLInputObjectType
    let placeOrder: GraphQLInputObjectType
    let createProduct: GraphQLInputObjectType
    let updateInventory: GraphQLInputObjectType

    init() throws {
        typealias S = SchemaParts
        registerUser = try GraphQLInputObjectType(
            name: "RegisterUserInput",
            fields: [
                "email": InputObjectField(type: S.required(GraphQLString)),
                "username": InputObjectField(type: S.required(GraphQLString)),
                "type": InputObjectField(type: GraphQLInt, description: "1 admin, 2 customer (when absent), 3 staff."),
                "password": InputObjectField(type: S.required(GraphQLString), description: "At least 10 characters."),
            ])
        login = try GraphQLInputObjectType(
            name: "LoginInput",
            fields: [
                "email": InputObjectField(type: S.required(GraphQLString)),
                "password": InputObjectField(type: S.required(GraphQLString)),
            ])
        let orderProduct = try GraphQLInputObjectType(
            name: "OrderProductInput",
            fields: [
                "product_id": InputObjectField(type: S.required(GraphQLID), description: "The product's id (SKU)."),
                "quantity": InputObjectField(type: S.required(GraphQLInt)),
            ])
        placeOrder = try GraphQLInputObjectType(
            name: "PlaceOrderInput",
            fields: [
                "order_products": InputObjectField(type: S.list(orderProduct)),
                "idempotency_key": InputObjectField(
                    type: GraphQLString, description: "Optional (Sprocket's): the same key places the order once."),
            ])
        createProduct = try GraphQLInputObjectType(
            name: "CreateProductInput",
            fields: [
                "name": InputObjectField(type: S.required(GraphQLString)),
                "description": InputObjectField(type: GraphQLString),
                "price": InputObjectField(type: S.required(GraphQLFloat), description: "In the store currency."),
                "stock": InputObjectField(type: GraphQLInt, description: "Opening stock in the default warehouse."),
                "sku": InputObjectField(
                    type: GraphQLString, description: "Optional (Sprocket's): the SKU, made up (P-…) when absent."),
            ])
        updateInventory = try GraphQLInputObjectType(
            name: "UpdateInventoryInput",
            fields: [
                "id": InputObjectField(type: S.required(GraphQLID), description: "The product's id (SKU)."),
                "type": InputObjectField(type: S.required(GraphQLInt), description: "1 ADD, 2 SUBTRACT, 3 DELETE."),
                "number": InputObjectField(type: GraphQLInt, description: "Units to add or subtract (not for DELETE)."),
            ])
    }

    /// `registerUser`'s input as a registration: `username` is the name, `type` the role.
    static func registration(_ input: Map) throws -> CustomersAPI.Components.Schemas.Registration {
        var role: CustomersAPI.Components.Schemas.Role?
        if let type = input["type"].int {
            guard let known = LegacyTypes.userTypes.first(where: { $0.type == type }) else {
                throw Problem.validation([
                    FieldError(field: "input.type", message: "must be 1 (admin), 2 (customer) or 3 (staff)")
                ])
            }
            role = .init(rawValue: known.role)
        }
        return .init(
            email: input["email"].text ?? "", password: input["password"].text ?? "",
            name: input["username"].text ?? "",
            role: role)
    }

    /// `placeOrder`'s input as an order with no addresses (the orders service takes the defaults).
    static func order(_ input: Map) throws -> OrdersAPI.Components.Schemas.NewOrder {
        guard case .array(let products) = input["order_products"] else {
            throw Problem.validation([FieldError(field: "input.order_products", message: "is required")])
        }
        return .init(
            lines: products.map { .init(sku: $0["product_id"].text ?? "", quantity: $0["quantity"].int ?? 0) })
    }

    /// `createProduct`'s input as a part priced in `currency`; the price must be exact to the cent.
    static func part(_ input: Map, currency: String) throws -> CatalogAPI.Components.Schemas.NewPart {
        guard let price = input["price"].double, let amount = amount(price) else {
            throw Problem.validation([
                FieldError(field: "input.price", message: "must be 0 or more with at most 2 decimals, e.g. 12.5")
            ])
        }
        let sku =
            input["sku"].text ?? "P-"
            + UUIDv7.make(at: .storageNow).replacingOccurrences(of: "-", with: "")
            .suffix(20).uppercased()
        return .init(
            sku: sku, name: input["name"].text ?? "", description: input["description"].text,
            price: .init(amount: amount, currency: currency))
    }

    /// `createProduct`'s opening stock, if it has one.
    static func openingStock(_ input: Map) throws -> Int? {
        guard let stock = input["stock"].int else { return nil }
        guard stock >= 0 else {
            throw Problem.validation([FieldError(field: "input.stock", message: "must be 0 or more")])
        }
        return stock
    }

    /// `updateInventory`'s input as a stock change: ADD and SUBTRACT move by `number`, DELETE counts zero.
    static func adjustment(_ input: Map) throws -> StaffMutations.StockChange {
        let type = input["type"].int
        let number = input["number"].int
        switch type {
        case 1, 2:
            guard let number, number >= 1 else {
                throw Problem.validation([FieldError(field: "input.number", message: "must be 1 or more")])
            }
            return .delta(
                .init(
                    delta: type == 1 ? number : -number,
                    reason: "updateInventory: \(type == 1 ? "ADD" : "SUBTRACT") \(number)"))
        case 3:
            return .count(.init(onHand: 0, reason: "updateInventory: DELETE (stock set to zero)"))
        default:
            throw Problem.validation([
                FieldError(field: "input.type", message: "must be 1 (ADD), 2 (SUBTRACT) or 3 (DELETE)")
            ])
        }
    }

    /// `price` as a decimal string with 2 digits, or `nil` when it is negative, too large or has
    /// fractions of a cent.
    static func amount(_ price: Double) -> String? {
        guard price.isFinite, price >= 0, price < 1e13 else { return nil }
        let cents = (price * 100).rounded()
        guard abs(cents - price * 100) < 1e-6 * max(1, cents) else { return nil }
        let whole = Int64(cents)
        return "\(whole / 100).\(whole % 100 < 10 ? "0" : "")\(whole % 100)"
    }
}
