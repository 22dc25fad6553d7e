import ArgumentParser
import Composition
import Foundation

/// `sprocket demo`: loads the sample catalog, warehouses, accounts and orders: into the embedded system's
/// databases, or (`--gateway`) into a running system through its API.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Load the demo catalog, stock, accounts and orders.",
        discussion: """
            Without --gateway, into the embedded system's databases (stopped or not). With --gateway URL, into
            a running system through its REST API (distributed mode: the services learn from each other's
            events, and the demo waits for them); the demo admin must exist there, or --issuer-database names
            the database of the service that keeps accounts, and the demo admin is created in it first.
            """)

    @OptionGroup var options: SystemOptions

    @Option(help: "Load through this running system's API, e.g. http://127.0.0.1:8080.")
    var gateway: String?

    @Option(help: "With --gateway: the accounts service's database, to create the demo admin in first.")
    var issuerDatabase: String?

    func run() async throws {
        guard let gateway else {
            let loaded = try await EmbeddedSystem.with(options.configuration(), logger: options.makeLogger()) {
                system in
                try await DemoData.load(into: system)
            }
            print(
                "Demo data: \(loaded.parts) new parts, \(loaded.accounts) new accounts. Demo accounts (email / password):"
            )
            print(DemoData.accountSummary)
            return
        }
        guard let admin = DemoData.accounts.first(where: { $0.role == .admin }) else { return }
        if let issuerDatabase {
            try await UsersCommand.withCustomers(options, serviceDatabase: issuerDatabase) { customers in
                guard try await customers.identity.store.credentials(email: admin.email) == nil else { return }
                _ = try await customers.identity.register(
                    email: admin.email, name: "Admin (demo)", password: admin.password, role: admin.role)
            }
        }
        let demo = RemoteDemo(gateway: gateway, currency: options.configuration().settings.currency)
        let loaded = try await demo.load(admin: (admin.email, admin.password))
        print(
            "Demo data through \(gateway): \(loaded.parts) new parts, \(loaded.accounts) new accounts, \(loaded.orders) orders. Demo accounts (email / password):"
        )
        print(DemoData.accountSummary)
    }
}
