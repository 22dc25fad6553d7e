import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import ServiceKit
import Storage
import Billing
import Catalog
import Composition
import Customers
import Fulfillment
import Inventory
import Orders
import Sales
import Shipping
import TestSupport

/// Builds the whole embedded system on a fresh SQLite folder or fresh PostgreSQL schemas and drives
/// it through the real router.
enum SystemHarness {
    static func with(
        _ engine: Engine, configure: (inout SystemConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (EmbeddedSystem, any TestClientProtocol) async throws -> Void
    ) async throws {
        var configuration = SystemConfiguration()
        configuration.settings.options[CustomersService.bcryptCost.name] = "4"
        configure(&configuration)
        let prefix = "sys_\(UInt32.random(in: 0...UInt32.max))"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix)
        switch engine {
        case .sqlite: configuration.dataDirectory = directory.path
        case .postgres: configuration.databaseURL = try TestDatabase.postgresURL() + "?schema=\(prefix)"
        }
        let system = try await EmbeddedSystem.build(configuration, logger: TestDatabase.logger)
        do {
            try await Application(router: try system.router()).test(.router) { client in try await body(system, client)
            }
        } catch {
            await tearDown(system, directory)
            throw error
        }
        await tearDown(system, directory)
    }

    private static func tearDown(_ system: EmbeddedSystem, _ directory: URL) async {
        for (service, database) in system.databases where database.engine == .postgres {
            if case .postgres(_, _, _, _, _, let schema?) = try? system.configuration.databaseLocation(
                for: service.rawValue)
            {
                try? await database.transaction { db in
                    try await db.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
                }
            }
        }
        await system.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Creates an account with `role` as `sprocket users add` does, and returns a bearer token for it.
    static func token(_ system: EmbeddedSystem, _ client: any TestClientProtocol, role: Role) async throws -> String {
        let email = "\(role.rawValue)-\(UInt32.random(in: 0...UInt32.max))@example.com"
        _ = try await system.customers.identity.register(
            email: email, name: role.rawValue, password: "correct-horse", role: role)
        let response = try await client.json(
            .post, "/api/v1/auth/token", ["email": email, "password": "correct-horse"])
        guard let token = response.object["accessToken"] as? String else { throw HarnessError.noToken(response.text) }
        return token
    }
}

extension EmbeddedSystem {
    /// The database of service `name`.
    func database(_ name: String) throws -> Database {
        guard let service = ServiceName(rawValue: name), let database = databases[service] else {
            throw HarnessError.noService(name)
        }
        return database
    }
}

// The harness builds every service: a missing one is a broken harness, not a test outcome.
// swift-format-ignore: NeverForceUnwrap
extension EmbeddedSystem {
    var catalog: CatalogService { service(CatalogService.self)! }
    var customers: CustomersService { service(CustomersService.self)! }
    var orders: OrdersService { service(OrdersService.self)! }
    var inventory: InventoryService { service(InventoryService.self)! }
    var fulfillment: FulfillmentService { service(FulfillmentService.self)! }
    var shipping: ShippingService { service(ShippingService.self)! }
    var billing: BillingService { service(BillingService.self)! }
    var sales: SalesService { service(SalesService.self)! }
}

enum HarnessError: Error {
    case noToken(String)
    case noService(String)
}

/// A response with its body parsed as a JSON object when it is one.
struct JSONResponse {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }
    var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
    var code: String? { object["code"] as? String }
    var fields: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
}

extension TestClientProtocol {
    func json(
        _ method: HTTPRequest.Method, _ uri: String, _ body: Any? = nil, token: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> JSONResponse {
        var headers = extra
        headers[.contentType] = "application/json"
        if let token { headers[.authorization] = "Bearer \(token)" }
        let buffer = try body.map { body -> ByteBuffer in
            if let raw = body as? String { return ByteBuffer(string: raw) }
            return ByteBuffer(data: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
        }
        let response = try await execute(uri: uri, method: method, headers: headers, body: buffer)
        return JSONResponse(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }
}
