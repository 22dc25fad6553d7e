import ArgumentParser
import Foundation
import Hummingbird
import Composition
import ServiceKit

/// `sprocket serve`: runs the system until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run every service in one process (embedded mode, SQLite by default).",
        discussion: ServiceName.optionsHelp
    )

    @OptionGroup var options: SystemOptions

    @Option(help: "Interface to listen on. [SPROCKET_HOST]")
    var host: String = Variables.value("SPROCKET_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on. [SPROCKET_PORT]")
    var port: Int = Variables.value("SPROCKET_PORT").flatMap(Int.init) ?? 8080

    @Flag(help: "Load the demo catalog and accounts at start (idempotent; embedded mode).")
    var demo = false

    @Option(
        help: ArgumentHelp(
            "Run one service in this process (distributed mode): \(ProcessRole.names.joined(separator: ", ")). [SPROCKET_SERVICE]"
        )
    )
    var service: String? = Variables.value("SPROCKET_SERVICE")

    @Option(help: "NATS server with JetStream, e.g. nats://127.0.0.1:4222 (distributed mode). [SPROCKET_NATS]")
    var nats: String? = Variables.value("SPROCKET_NATS")

    @Option(
        help:
            "Gateway upstream NAME=URL, once per service, e.g. catalog=http://127.0.0.1:8101. [SPROCKET_UPSTREAMS, comma-separated]"
    )
    var upstream: [String] = Variables.value("SPROCKET_UPSTREAMS")?.split(separator: ",").map(String.init) ?? []

    @Option(help: "Base URL of the customers service, for its JWKS (distributed mode). [SPROCKET_CUSTOMERS_URL]")
    var customersURL: String? = Variables.value("SPROCKET_CUSTOMERS_URL")

    func validate() throws {
        if let service, ProcessRole(name: service) == nil {
            throw ValidationError("--service must be one of \(ProcessRole.names.joined(separator: ", "))")
        }
        if service != nil, demo {
            throw ValidationError(
                "--demo loads the embedded system; run `sprocket demo` against it, or load data through the API")
        }
    }

    func run() async throws {
        let logger = options.makeLogger()
        var configuration = options.configuration()
        configuration.host = host
        configuration.port = port
        if let service, let role = ProcessRole(name: service) {
            let options = DistributedOptions(natsURL: nats, upstreams: upstream, customersURL: customersURL)
            let process = try await ServiceProcess.build(
                role, configuration: configuration, options: options, logger: logger)
            print("Sprocket \(service) listening on http://\(host):\(port)")
            try await GracefulRun.run(
                process.application(), drain: configuration.drain, plan: configuration.shutdown, logger: logger)
            return
        }
        // The databases run in the application's service group; migrations and the demo data load
        // before the server accepts requests.
        let system = try await EmbeddedSystem.build(configuration, logger: logger, runner: .serviceGroup)
        let demo = self.demo
        let application = try system.application { system in
            if demo {
                let loaded = try await DemoData.load(into: system)
                print(
                    "Demo data: \(loaded.parts) new parts, \(loaded.accounts) new accounts. Demo accounts (email / password):"
                )
                print(DemoData.accountSummary)
            }
            print(
                "Sprocket listening on http://\(system.configuration.host):\(system.configuration.port) — API under /api/v1, docs at /docs"
            )
        }
        try await GracefulRun.run(
            application, drain: configuration.drain, plan: configuration.shutdown, logger: logger)
    }
}
