import ArgumentParser
import Composition
import Foundation

/// `sprocket cluster start|stop|status`: the one launcher of a distributed cluster on this machine, used by
/// `scripts/dev-cluster`, the fault and abuse scripts and the distributed tests.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Start, stop or show a distributed cluster on this machine (every part on 127.0.0.1).",
        discussion: """
            The processes are those of `sprocket topology`. Each runs detached, its pid and log in the
            cluster's folder (NAME.pid, NAME.log), with cluster.json and topology.tsv describing the cluster.
            Without --postgres the cluster runs its own PostgreSQL (in FOLDER/pg), without --nats its own
            nats-server with JetStream (in FOLDER/nats).
            """,
        subcommands: [Start.self, Stop.self, Status.self])

    struct Folder: ParsableArguments {
        @Option(name: .customLong("dir"), help: "The cluster's folder.")
        var directory = ".cluster"

        var url: URL { URL(fileURLWithPath: directory, isDirectory: true) }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start what does not run yet, each process ready before the next.")

        @OptionGroup var folder: Folder
        @OptionGroup var topology: TopologyOptions

        @Option(help: "A PostgreSQL server to use (no database name); without it the cluster runs its own.")
        var postgres: String?

        @Option(help: "The port of the cluster's own PostgreSQL.")
        var postgresPort = 55432

        @Option(help: "A NATS server with JetStream to use; without it the cluster runs its own.")
        var nats: String?

        @Option(help: "The port of the cluster's own nats-server.")
        var natsPort = 4222

        @Option(name: .customLong("process"), help: "Start only this process (repeatable), e.g. orders2.")
        var only: [String] = []

        @Option(help: "Create this admin account once per cluster, as EMAIL:PASSWORD.")
        var admin: String?

        func run() async throws {
            let server = postgres ?? "postgres://postgres@127.0.0.1:\(postgresPort)"
            let plan = LocalCluster.Plan(
                processes: try topology.topology(postgres: server, nats: nats ?? "nats://127.0.0.1:\(natsPort)")
                    .processes,
                postgres: server, privatePostgresPort: postgres == nil ? postgresPort : nil,
                privateNATSPort: nats == nil ? natsPort : nil)
            var account: (email: String, password: String)?
            if let admin {
                let parts = admin.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--admin takes EMAIL:PASSWORD") }
                account = (parts[0], parts[1])
            }
            let cluster = LocalCluster(directory: folder.url, plan: plan)
            do {
                try await cluster.start(only: Set(only), admin: account)
            } catch let failure as LocalCluster.Failure {
                FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
                throw ExitCode.failure
            }
            if only.isEmpty { cluster.status.forEach { print($0) } }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop the cluster (or the processes named), each with SIGTERM and time to finish.")

        @OptionGroup var folder: Folder

        @Option(name: .customLong("process"), help: "Stop only this process (repeatable).")
        var only: [String] = []

        func run() async throws {
            guard let cluster = try? LocalCluster(directory: folder.url) else { return }
            try await cluster.stop(only: Set(only))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show which processes run.")

        @OptionGroup var folder: Folder

        func run() async throws {
            let cluster = try LocalCluster(directory: folder.url)
            cluster.status.forEach { print($0) }
        }
    }
}
