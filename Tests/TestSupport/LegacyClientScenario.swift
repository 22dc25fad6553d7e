import Foundation

/// What a client of the legacy GraphQL API does, with its documents verbatim: the eleven operations
/// (`users`, `user`, `products`, `product`, `orders`, `order`, `registerUser`, `login`, `placeOrder`,
/// `createProduct`, `updateInventory`) against `/graphql/legacy`, each answer and each refusal checked.
/// The same run goes to the embedded router and to a distributed gateway. It needs an admin's token and
/// a warehouse (the default one takes the stock).
public struct LegacyClientScenario: Sendable {
    /// Sends a JSON body to a path with a bearer token; answers the status and the body.
    public typealias Send =
        @Sendable (_ path: String, _ body: String, _ token: String?) async throws -> (
            status: Int, text: String
        )

    let send: Send
    /// Lets events reach the services that wait for them (or waits a moment).
    let settle: @Sendable () async throws -> Void
    /// Makes the emails of this run unique where several runs share a system.
    let tag: String

    public init(tag: String = "", send: @escaping Send, settle: @escaping @Sendable () async throws -> Void) {
        self.send = send
        self.settle = settle
        self.tag = tag
    }

    /// The legacy client's documents, as it wrote them.
    public static let documents = [
        "users": "query Users { users { id email username type } }",
        "user": "query User($id: ID!) { user(id: $id) { id email username type } }",
        "products": "query Products { products { id name description price stock } }",
        "product": "query Product($id: ID!) { product(id: $id) { id name description price stock } }",
        "orders":
            "query Orders { orders { id user_id price_total status order_products { product_id quantity price } } }",
        "order":
            "query Order($id: ID!) { order(id: $id) { id user_id price_total status order_products { product_id quantity price } } }",
        "registerUser":
            "mutation RegisterUser($input: RegisterUserInput!) { registerUser(input: $input) { id email username type } }",
        "login": "mutation Login($input: LoginInput!) { login(input: $input) { token } }",
        "placeOrder":
            "mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) { id user_id price_total status order_products { product_id quantity price } } }",
        "createProduct":
            "mutation CreateProduct($input: CreateProductInput!) { createProduct(input: $input) { id name description price stock } }",
        "updateInventory":
            "mutation UpdateInventory($input: UpdateInventoryInput!) { updateInventory(input: $input) { id name stock } }",
    ]

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// One answer: its data under the operation's name, and its errors' codes.
    struct Answer {
        let status: Int
        let object: [String: Any]
        let text: String
        var errors: [String] {
            (object["errors"] as? [[String: Any]] ?? []).compactMap {
                ($0["extensions"] as? [String: Any])?["code"] as? String
            }
        }
        func field(_ name: String) -> Any? { (object["data"] as? [String: Any])?[name] }
        func item(_ name: String) -> [String: Any]? { field(name) as? [String: Any] }
        func list(_ name: String) -> [[String: Any]] { field(name) as? [[String: Any]] ?? [] }
    }

    func run(_ operation: String, _ variables: [String: Any] = [:], token: String?, path: String = "/graphql/legacy")
        async throws -> Answer
    {
        let document = Self.documents[operation] ?? operation
        let body = try JSONSerialization.data(withJSONObject: ["query": document, "variables": variables])
        let (status, text) = try await send(path, String(decoding: body, as: UTF8.self), token)
        let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        return Answer(status: status, object: object, text: text)
    }

    func check(_ condition: Bool, _ what: String, _ answer: Answer? = nil) throws {
        guard condition else {
            throw Failure(description: "\(what)\(answer.map { ": \($0.status) \($0.text)" } ?? "")")
        }
    }

    func register(_ name: String, type: Int?, token: String?) async throws -> Answer {
        var input: [String: Any] = [
            "email": "\(name)\(tag)@example.com", "username": name, "password": "\(name)-password-1",
        ]
        if let type { input["type"] = type }
        return try await run("registerUser", ["input": input], token: token)
    }

    func login(_ name: String) async throws -> String {
        let answer = try await run(
            "login", ["input": ["email": "\(name)\(tag)@example.com", "password": "\(name)-password-1"]], token: nil)
        guard let token = answer.item("login")?["token"] as? String else {
            throw Failure(description: "login of \(name) failed: \(answer.text)")
        }
        return token
    }

    /// Runs every operation as the legacy client would, and checks what Sprocket answers.
    public func run(admin: String) async throws {
        // registerUser: customers by anyone; admins (1) and staff (3) only by an admin.
        let lena = try await register("lena", type: 2, token: nil)
        let lenaID = try lena.item("registerUser")?["id"] as? String ?? ""
        try check(lena.item("registerUser")?["type"] as? Int == 2 && !lenaID.isEmpty, "registerUser type 2", lena)
        try check(lena.item("registerUser")?["username"] as? String == "lena", "registerUser username", lena)
        let boss = try await register("boss", type: 1, token: nil)
        try check(boss.errors == ["customer.role_forbidden"], "registerUser type 1 by a stranger is refused", boss)
        let sam = try await register("sam", type: 3, token: admin)
        try check(sam.item("registerUser")?["type"] as? Int == 3, "registerUser type 3 by an admin", sam)

        // login
        let lenaToken = try await login("lena")
        let wrong = try await run(
            "login", ["input": ["email": "lena\(tag)@example.com", "password": "nope-nope-1"]], token: nil)
        try check(wrong.errors == ["auth.invalid_credentials"], "login with a wrong password", wrong)

        // createProduct: admin only; its opening stock goes to the default warehouse.
        let product: [String: Any] = ["name": "Brake hose", "description": "Front, left", "price": 24.5, "stock": 10]
        let refusedProduct = try await run("createProduct", ["input": product], token: lenaToken)
        try check(refusedProduct.errors == ["auth.forbidden"], "createProduct by a customer", refusedProduct)
        let created = try await run("createProduct", ["input": product], token: admin)
        let id = created.item("createProduct")?["id"] as? String ?? ""
        try check(!id.isEmpty && created.item("createProduct")?["price"] as? Double == 24.5, "createProduct", created)
        try check(created.item("createProduct")?["stock"] as? Int == 10, "createProduct opening stock", created)

        // updateInventory: 1 ADD, 2 SUBTRACT, 3 DELETE (to zero), by staff and admin only.
        let refusedStock = try await run(
            "updateInventory", ["input": ["id": id, "type": 1, "number": 5]], token: lenaToken)
        try check(refusedStock.errors == ["auth.forbidden"], "updateInventory by a customer", refusedStock)
        for (type, number, expected) in [(1, 5, 15), (2, 3, 12), (3, 0, 0), (1, 20, 20)] {
            let updated = try await run(
                "updateInventory", ["input": ["id": id, "type": type, "number": number]], token: admin)
            try check(
                updated.item("updateInventory")?["stock"] as? Int == expected, "updateInventory type \(type)", updated)
        }
        let badType = try await run("updateInventory", ["input": ["id": id, "type": 9, "number": 1]], token: admin)
        try check(badType.errors == ["validation.failed"], "updateInventory type 9", badType)

        // product and products: public.
        let one = try await run("product", ["id": id], token: nil)
        try check(one.item("product")?["name"] as? String == "Brake hose", "product", one)
        try check(one.item("product")?["stock"] as? Int == 20, "product stock", one)
        let none = try await run("product", ["id": "NO-SUCH-PART"], token: nil)
        try check(none.field("product") is NSNull && none.errors.isEmpty, "product that does not exist", none)
        // products: the first 50 by SKU (the new one among them when the catalog is small).
        let all = try await run("products", token: nil)
        let listed = all.list("products")
        try check(
            !listed.isEmpty && listed.allSatisfy { $0["price"] is Double && $0["stock"] is Int }
                && (listed.count == 50 || listed.contains { $0["id"] as? String == id }), "products", all)

        // placeOrder: to the default addresses of the address book; none yet is a clear refusal.
        let order: [String: Any] = ["input": ["order_products": [["product_id": id, "quantity": 2]]]]
        var noAddress = try await run("placeOrder", order, token: lenaToken)
        for _ in 0..<100 where noAddress.errors == ["order.customer_unknown"] {
            // The orders service hears of the new account by event.
            try await settle()
            noAddress = try await run("placeOrder", order, token: lenaToken)
        }
        try check(noAddress.errors == ["order.no_default_address"], "placeOrder without a default address", noAddress)
        let address: [String: Any] = [
            "firstName": "Lena", "lastName": "Berg", "line1": "Hauptstraße 5", "city": "Köln", "postalCode": "50667",
            "country": "DE",
        ]
        let added = try await run(
            "mutation($a: AddressInput!) { addAddress(address: $a) { id defaultShipping defaultBilling } }",
            ["a": address], token: lenaToken, path: "/graphql")
        try check(added.item("addAddress")?["defaultShipping"] as? Bool == true, "addAddress", added)
        var placed = try await run("placeOrder", order, token: lenaToken)
        for _ in 0..<100 where placed.item("placeOrder") == nil {
            // The orders service hears of the product and the address by event.
            try await settle()
            placed = try await run("placeOrder", order, token: lenaToken)
        }
        let placedOrder = placed.item("placeOrder") ?? [:]
        let orderID = placedOrder["id"] as? String ?? ""
        try check(placedOrder["user_id"] as? String == lenaID, "placeOrder user_id", placed)
        try check(placedOrder["price_total"] as? Double == 58.31, "placeOrder price_total (49.00 + 19 % tax)", placed)
        let lines = placedOrder["order_products"] as? [[String: Any]] ?? []
        try check(
            lines.count == 1 && lines[0]["product_id"] as? String == id && lines[0]["quantity"] as? Int == 2
                && lines[0]["price"] as? Double == 24.5, "placeOrder order_products", placed)

        // orders and order: a customer's own; another customer's is not found.
        let mine = try await run("orders", token: lenaToken)
        try check(mine.list("orders").map { $0["id"] as? String } == [orderID], "orders of the customer", mine)
        let read = try await run("order", ["id": orderID], token: lenaToken)
        try check(read.item("order")?["price_total"] as? Double == 58.31, "order", read)
        _ = try await register("mia", type: nil, token: nil)
        let miaToken = try await login("mia")
        let foreign = try await run("order", ["id": orderID], token: miaToken)
        try check(foreign.field("order") is NSNull, "another customer's order", foreign)
        try check(try await run("orders", token: miaToken).list("orders").isEmpty, "orders of another customer")

        // users and user: admin (anyone their own).
        let refusedUsers = try await run("users", token: lenaToken)
        try check(refusedUsers.errors == ["auth.forbidden"], "users by a customer", refusedUsers)
        let users = try await run("users", token: admin)
        try check(
            users.list("users").contains { $0["id"] as? String == lenaID && $0["type"] as? Int == 2 }, "users", users)
        let user = try await run("user", ["id": lenaID], token: admin)
        try check(user.item("user")?["username"] as? String == "lena", "user", user)
        let own = try await run("user", ["id": lenaID], token: lenaToken)
        try check(own.item("user")?["email"] as? String == "lena\(tag)@example.com", "user: one's own", own)
        let hidden = try await run("user", ["id": lenaID], token: miaToken)
        try check(hidden.field("user") is NSNull, "user: someone else's", hidden)
    }
}
