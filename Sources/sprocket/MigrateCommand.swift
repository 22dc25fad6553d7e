import ArgumentParser
import Composition

/// `sprocket migrate`: applies every service's pending migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending database migrations.")

    @OptionGroup var options: SystemOptions

    func run() async throws {
        try await EmbeddedSystem.with(options.configuration(), logger: options.makeLogger()) { _ in }
        print("Migrations applied: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", ")).")
    }
}
