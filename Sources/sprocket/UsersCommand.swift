import ArgumentParser
import Customers
import ServiceKit
import Storage
import System

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
            if let serviceDatabase {
                let database = try await Database.open(try DatabaseLocation(parsing: serviceDatabase), logger: logger)
                let customers = CustomersService(
                    database: database, keys: KeyRing(), hasher: PasswordHasher(cost: options.bcryptCost))
                do {
                    try await customers.identity.store.migrate(logger: logger)
                    let customer = try await customers.identity.register(
                        email: email, name: name ?? email, password: password, role: Role(rawValue: role) ?? .customer
                    )
                    await database.close()
                    print("Created \(customer.role.rawValue) \(customer.email) (id \(customer.id)).")
                } catch {
                    await database.close()
                    throw Self.readable(error)
                }
                return
            }
            let system = try await EmbeddedSystem.build(options.configuration(), logger: logger)
            do {
                let customer = try await system.customers.identity.register(
                    email: email, name: name ?? email, password: password, role: Role(rawValue: role) ?? .customer
                )
                await system.close()
                print("Created \(customer.role.rawValue) \(customer.email) (id \(customer.id)).")
            } catch {
                await system.close()
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
