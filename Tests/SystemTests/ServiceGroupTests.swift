import Customers
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Composition
import TestSupport
import Testing

/// `sprocket serve`'s way of running: the databases and relays are services of the application's
/// group, migrations run before the server accepts requests, and the group closes what it opened.
@Suite("The embedded system in its service group, on both engines")
struct ServiceGroupTests {
    @Test(arguments: Engine.allCases)
    func theGroupMigratesBeforeServingRelaysEventsAndClosesTheDatabases(engine: Engine) async throws {
        var configuration = SystemConfiguration()
        configuration.settings.options[CustomersService.bcryptCost.name] = "4"
        let prefix = "grp_\(UInt32.random(in: 0...UInt32.max))"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix)
        defer { try? FileManager.default.removeItem(at: directory) }
        switch engine {
        case .sqlite: configuration.dataDirectory = directory.path
        case .postgres: configuration.databaseURL = try TestDatabase.postgresURL() + "?schema=\(prefix)"
        }
        let system = try await EmbeddedSystem.build(configuration, logger: TestDatabase.logger, runner: .serviceGroup)
        let orders = try system.database("orders")
        #expect(!orders.isMigrated)
        #expect(!system.started.isOpened)

        try await system.application().test(.live) { client in
            // The server answers only after start-up: migrated, and the relays let through.
            let ready = try await client.json(.get, "/health/ready")
            #expect(ready.status == .ok)
            #expect(orders.isMigrated && system.started.isOpened)
            let admin = try await SystemHarness.token(system, client, role: .admin)
            let ann = try await SystemHarness.token(system, client, role: .customer)
            let part: [String: Any] = ["sku": "PAD", "name": "Pad", "price": ["amount": "39.90", "currency": "EUR"]]
            #expect(try await client.json(.post, "/api/v1/parts", part, token: admin).status == .created)
            // Nobody calls publishPendingEvents here: the group's relay carries the part to orders.
            var status = HTTPResponse.Status.conflict
            for _ in 0..<100 where status != .created {
                status = try await client.json(
                    .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1]]), token: ann
                ).status
                if status != .created { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == .created)
        }
        // The group stopped, and its databases with it.
        await #expect(throws: (any Error).self) {
            try await orders.read { db in try await db.raw("SELECT 1 AS one").run() }
        }
        if engine == .postgres {
            try await Database.with(
                try DatabaseLocation(parsing: try TestDatabase.postgresURL()), logger: TestDatabase.logger
            ) { database in
                try await database.transaction { db in
                    for service in ServiceName.allCases {
                        try await db.raw("DROP SCHEMA IF EXISTS \(ident: "\(prefix)_\(service.rawValue)") CASCADE")
                            .run()
                    }
                }
            }
        }
    }
}
