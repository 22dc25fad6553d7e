import ArgumentParser
import System

/// `sprocket migrate`: applies every service's pending migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending database migrations.")

    @OptionGroup var options: SystemOptions

    func run() async throws {
        let system = try await EmbeddedSystem.build(options.configuration(), logger: options.makeLogger())
        await system.close()
        print("Migrations applied: \(system.databases.keys.sorted().joined(separator: ", ")).")
    }
}
