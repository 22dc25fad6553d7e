import ArgumentParser
import ServiceKit
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

        func validate() throws {
            guard Role(rawValue: role) != nil else { throw ValidationError("--role must be customer, staff or admin") }
        }

        func run() async throws {
            let system = try await EmbeddedSystem.build(options.configuration(), logger: options.makeLogger())
            do {
                let customer = try await system.customers.identity.register(
                    email: email, name: name ?? email, password: password, role: Role(rawValue: role) ?? .customer
                )
                await system.close()
                print("Created \(customer.role.rawValue) \(customer.email) (id \(customer.id)).")
            } catch let problem as Problem {
                await system.close()
                let fields = (problem.errors ?? []).map { "\($0.field) \($0.message)" }.joined(separator: "; ")
                throw ValidationError(
                    [problem.detail ?? problem.title, fields].filter { !$0.isEmpty }.joined(separator: ": "))
            } catch {
                await system.close()
                throw error
            }
        }
    }
}
