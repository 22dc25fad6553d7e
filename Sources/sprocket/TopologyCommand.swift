import ArgumentParser
import Composition
import Foundation

/// `sprocket topology`: the processes of a distributed cluster on this machine, with the arguments that
/// start each, for the scripts and the tests that start clusters (they name no service themselves).
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Print the processes of a local distributed cluster: name, port, database, arguments.",
        discussion: """
            JSON (the default) is an array of {name, service, port, database, arguments}, in start order;
            --format tsv prints one line per process: name, service, port, database (- for none) and the
            arguments, separated by tabs (the arguments by spaces).
            """)

    @Option(help: "The gateway's port.")
    var gatewayPort = 8080

    @Option(help: "Each service listens on this plus its own offset (catalog 1, customers 2, …).")
    var portBase = 8100

    @Option(help: "The PostgreSQL server, without a database name.")
    var postgres = "postgres://postgres@127.0.0.1:55432"

    @Option(help: "Put before each service's database name.")
    var databasePrefix = ""

    @Option(help: "NATS with JetStream.")
    var nats = "nats://127.0.0.1:4222"

    @Option(help: "More than one process for a service, e.g. orders=2 (repeatable).")
    var replicas: [String] = []

    @Argument(
        parsing: .postTerminator, help: "After --: arguments added to every process, e.g. -- --log-level info.")
    var extra: [String] = []

    enum Format: String, ExpressibleByArgument { case json, tsv }

    @Option(help: "json or tsv.")
    var format = Format.json

    func run() throws {
        var environment = Topology.Environment()
        environment.gatewayPort = gatewayPort
        environment.portBase = portBase
        environment.postgres = postgres
        environment.databasePrefix = databasePrefix
        environment.nats = nats
        environment.extraArguments = extra
        for pair in replicas {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let service = ServiceName(rawValue: parts[0]), let count = Int(parts[1]),
                (1...9).contains(count)
            else { throw ValidationError("--replicas takes SERVICE=COUNT (1 to 9), e.g. orders=2") }
            environment.replicas[service] = count
        }
        let processes = Topology(environment).processes
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(processes), as: UTF8.self))
        case .tsv:
            for process in processes {
                print(
                    [
                        process.name, process.service, String(process.port), process.database ?? "-",
                        process.arguments.joined(separator: " "),
                    ].joined(separator: "\t"))
            }
        }
    }
}
