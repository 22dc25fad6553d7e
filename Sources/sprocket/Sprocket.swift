import ArgumentParser
import Composition
import Foundation
import ServiceKit

/// The one Sprocket executable: every service, every mode, and the operator commands.
@main
struct Sprocket: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sprocket",
        abstract: "Order management for spare-parts businesses.",
        version: Release.version,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, UsersCommand.self, DemoCommand.self, EventsCommand.self,
            ReconcileCommand.self, ImportCommand.self, TopologyCommand.self, ClusterCommand.self,
            DeployCommand.self, HealthCommand.self, WaitCommand.self,
        ]
    )

    /// Takes the services' own options (``ServiceName/allOptions``) off the command line, checked, then
    /// runs the command the rest names; `SystemOptions.serviceOptions()` reads them back.
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        do {
            do {
                _ = try ServiceOptions.extract(
                    ServiceName.allOptions.map(\.option), from: &arguments,
                    environment: ProcessInfo.processInfo.environment)
            } catch let invalid as ServiceOptions.Invalid {
                throw ValidationError(invalid.description)
            }
            var command = try parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
