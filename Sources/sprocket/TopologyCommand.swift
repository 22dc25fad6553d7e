import ArgumentParser
import Composition
import Foundation

/// `sprocket topology`: the processes of a distributed cluster on this machine, with the arguments that
/// start each, for the scripts that need the list (they name no service themselves).
struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Print the processes of a local distributed cluster: name, port, database, arguments.",
        discussion: """
            JSON (the default) is an array of {name, service, port, database, arguments}, in start order;
            --format tsv prints one line per process: name, service, port, database (- for none) and the
            arguments, separated by tabs (the arguments by spaces). `sprocket cluster start` starts them.
            """)

    @OptionGroup var options: TopologyOptions

    @Option(help: "The PostgreSQL server, without a database name.")
    var postgres = "postgres://postgres@127.0.0.1:55432"

    @Option(help: "NATS with JetStream.")
    var nats = "nats://127.0.0.1:4222"

    enum Format: String, ExpressibleByArgument { case json, tsv }

    @Option(help: "json or tsv.")
    var format = Format.json

    func run() throws {
        let processes = try options.topology(postgres: postgres, nats: nats).processes
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(processes), as: UTF8.self))
        case .tsv:
            print(Topology.tsv(processes), terminator: "")
        }
    }
}
