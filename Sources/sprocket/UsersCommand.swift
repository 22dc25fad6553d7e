import ArgumentParser
import Customers
import ServiceKit
import Storage
import Composition

/// `sprocket users add`: creates an account with any role (the only way to make staff and admins).
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage accounts.", subcommands: [Add.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account with a role.")

        @OptionGroup var options: SystemOptions

        @Option(help: "customer, staff or admin.")
        var role: String = "customer"

        @Option(help: "Email address (the login).")
        var email: String

        @Option(help: "Password, at least 10 characters.")
        var password: String

        @Option(help: "Display name.")
        var name: String?

        @Option(help: "Distributed mode: the customers service's own database (postgres:// URL or SQLite file).")
        var serviceDatabase: String?

        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("--role must be customer, staff or admin") }
        }

        func run() async throws {
            let logger = options.makeLogger()
            let configuration = options.configuration()
            let role = Role(rawValue: role) ?? .customer
            do {
                let customer: Customer
                if let serviceDatabase {
                    // Distributed mode: only the customers service's own database.
                    customer = try await Database.with(try DatabaseLocation(parsing: serviceDatabase), logger: logger) {
                        database in
                        try await database.migrate(CustomersService.self, logger: logger)
                        let customers = CustomersService(
                            context: ServiceContext(
                                database: database, keys: KeyRing(), settings: configuration.settings, logger: logger))
                        return try await customers.identity.register(
                            email: email, name: name ?? email, password: password, role: role)
                    }
                } else {
                    customer = try await EmbeddedSystem.with(configuration, logger: logger) { system in
                        guard let customers = system.service(CustomersService.self) else {
                            throw ValidationError("this build has no customers service")
                        }
                        return try await customers.identity.register(
                            email: email, name: name ?? email, password: password, role: role)
                    }
                }
                print("Created \(customer.role.rawValue) \(customer.email) (id \(customer.id)).")
            } catch {
                throw Self.readable(error)
            }
        }

        private static func readable(_ error: any Error) -> any Error {
            guard let problem = error as? Problem else { return error }
            let fields = (problem.errors ?? []).map { "\($0.field) \($0.message)" }.joined(separator: "; ")
            return ValidationError(
                [problem.detail ?? problem.title, fields].filter { !$0.isEmpty }.joined(separator: ": "))
        }
    }
}
