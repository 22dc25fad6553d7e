import ArgumentParser

/// The one Sprocket executable: every service, every mode, and the operator commands.
@main
struct Sprocket: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sprocket",
        abstract: "Order management for spare-parts businesses.",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, UsersCommand.self, DemoCommand.self, EventsCommand.self,
            ReconcileCommand.self, ImportCommand.self, TopologyCommand.self, DeployCommand.self,
        ]
    )
}
