import ArgumentParser
import Customers
import ServiceKit
import Storage
import Composition

/// `sprocket users add`: creates an account with any role (the only way to make staff and admins);
/// `sprocket users disable|enable`: an account that may not log in, whose tokens every service refuses.
struct UsersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage accounts.", subcommands: [Add.self, Disable.self, Enable.self]
    )

    /// Runs `body` with the customers service on the embedded system's databases, or (distributed mode)
    /// on its own `serviceDatabase` alone.
    static func withCustomers<T>(
        _ options: SystemOptions, serviceDatabase: String?, _ body: (CustomersService) async throws -> T
    ) async throws -> T {
        let logger = options.makeLogger()
        let configuration = options.configuration()
        do {
            if let serviceDatabase {
                return try await Database.with(try DatabaseLocation(parsing: serviceDatabase), logger: logger) {
                    database in
                    try await database.migrate(CustomersService.self, logger: logger)
                    return try await body(
                        CustomersService(
                            context: ServiceContext(
                                database: database, keys: KeyRing(), settings: configuration.settings, logger: logger)))
                }
            }
            return try await EmbeddedSystem.with(configuration, logger: logger) { system in
                guard let customers = system.service(CustomersService.self) else {
                    throw ValidationError("this build has no customers service")
                }
                return try await body(customers)
            }
        } catch {
            throw readable(error)
        }
    }

    static func readable(_ error: any Error) -> any Error {
        guard let problem = error as? Problem else { return error }
        let fields = (problem.errors ?? []).map { "\($0.field) \($0.message)" }.joined(separator: "; ")
        return ValidationError(
            [problem.detail ?? problem.title, fields].filter { !$0.isEmpty }.joined(separator: ": "))
    }

    /// Which account `disable` and `enable` change, and where it is kept.
    struct AccountOptions: ParsableArguments {
        @OptionGroup var options: SystemOptions

        @Option(help: "The account's email address.")
        var email: String

        @Option(help: "Distributed mode: the customers service's own database (postgres:// URL or SQLite file).")
        var serviceDatabase: String?
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable an account: it cannot log in, and every service refuses its tokens.")

        @OptionGroup var account: AccountOptions

        func run() async throws {
            let customer = try await UsersCommand.setDisabled(account, true)
            print("Disabled \(customer.email) (id \(customer.id)): its tokens are refused from now on.")
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled account again.")

        @OptionGroup var account: AccountOptions

        func run() async throws {
            print("Enabled \(try await UsersCommand.setDisabled(account, false).email).")
        }
    }

    static func setDisabled(_ account: AccountOptions, _ disabled: Bool) async throws -> Customer {
        try await withCustomers(account.options, serviceDatabase: account.serviceDatabase) { customers in
            guard let normalized = Email.normalize(account.email),
                let (customer, _) = try await customers.identity.store.credentials(email: normalized),
                let changed = try await customers.identity.store.setDisabled(id: customer.id, disabled)
            else { throw ValidationError("there is no account \(account.email)") }
            return changed
        }
    }

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
            let role = Role(rawValue: role) ?? .customer
            let customer = try await UsersCommand.withCustomers(options, serviceDatabase: serviceDatabase) {
                try await $0.identity.register(email: email, name: name ?? email, password: password, role: role)
            }
            print("Created \(customer.role.rawValue) \(customer.email) (id \(customer.id)).")
        }
    }
}
