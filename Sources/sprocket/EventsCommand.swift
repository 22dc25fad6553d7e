import ArgumentParser
import Composition
import Foundation
import ServiceKit
import Storage

/// `sprocket events`: dead letters and parked outbox rows, listed and replayed (both modes).
struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "List and replay events that did not get through.",
        subcommands: [DeadLettersCommand.self, RedriveCommand.self])
}

/// Where the events commands look: every service of the embedded system, or one service's own database.
struct EventScopeOptions: ParsableArguments {
    @Option(help: "Only this service: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var service: String?

    @Option(help: "Distributed mode: the service's own database (postgres:// URL or SQLite file); needs --service.")
    var serviceDatabase: String?

    func validate() throws {
        if let service, ServiceName(rawValue: service) == nil {
            throw ValidationError(
                "--service must be one of \(ServiceName.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if serviceDatabase != nil, service == nil { throw ValidationError("--service-database needs --service") }
    }

    /// Runs `body` with the operations over the chosen databases, closing them afterwards.
    func with<T>(_ options: SystemOptions, _ body: (EventOperations) async throws -> T) async throws -> T {
        let logger = options.makeLogger()
        let name = service.flatMap(ServiceName.init(rawValue:))
        if let serviceDatabase, let name {
            return try await Database.with(
                try DatabaseLocation(parsing: serviceDatabase), logger: logger,
                retention: options.configuration().retention
            ) { database in
                try await database.migrate(name.module, logger: logger)
                let module = name.module.init(
                    context: ServiceContext(
                        database: database, keys: KeyRing(), settings: options.configuration().settings, logger: logger)
                )
                return try await body(
                    EventOperations(scopes: [.init(service: name, database: database, consumers: module.consumers)]))
            }
        }
        return try await EmbeddedSystem.with(options.configuration(), logger: logger) { system in
            let all = EventOperations(system: system)
            return try await body(EventOperations(scopes: all.scopes.filter { name == nil || $0.service == name }))
        }
    }
}

struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters", abstract: "List dead letters and parked outbox rows, oldest first.")

    @OptionGroup var options: SystemOptions
    @OptionGroup var scope: EventScopeOptions

    func run() async throws {
        let entries = try await scope.with(options) { try await $0.list() }
        guard !entries.isEmpty else {
            print("No dead letters and no parked outbox rows.")
            return
        }
        let formatter = ISO8601DateFormatter()
        print(["ID", "CONSUMER", "TYPE", "ATTEMPTS", "WHEN", "EVENT", "LAST ERROR"].joined(separator: "\t"))
        for entry in entries {
            let error = entry.error.replacingOccurrences(of: "\n", with: " ").prefix(200)
            print(
                [
                    entry.id, entry.consumer, entry.type, String(entry.attempts), formatter.string(from: entry.at),
                    entry.eventID, String(error),
                ].joined(separator: "\t"))
        }
    }
}

struct RedriveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redrive",
        abstract: "Replay a dead letter through its consumer (or put a parked outbox row back in line).",
        discussion: """
            A replay runs in the consumer's own transaction: it applies the event once, or, if it fails \
            again, changes nothing and the letter stays listed with the new error.
            """)

    @OptionGroup var options: SystemOptions
    @OptionGroup var scope: EventScopeOptions

    @Argument(help: "The ID from `sprocket events dead-letters`, e.g. orders/3.")
    var id: String?

    @Flag(help: "Replay every dead letter and parked row (of --service, when given).")
    var all = false

    func validate() throws {
        guard (id != nil) != all else { throw ValidationError("give an ID or --all") }
    }

    func run() async throws {
        let (replayed, failures) = try await scope.with(options) { try await $0.redrive(all ? nil : id) }
        print("Replayed \(replayed).")
        for failure in failures { print("Still failing: \(failure.id): \(failure.error)") }
        if !failures.isEmpty { throw ExitCode(1) }
    }
}
