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

    @Option(
        help: "Regions: this process's region, e.g. madrid; the gateway names it in Sprocket-Region. [SPROCKET_REGION]")
    var region: String? = Variables.value("SPROCKET_REGION")

    @Option(help: "Regions: a regional gateway's home-region gateway, where writes go. [SPROCKET_HOME_URL]")
    var homeURL: String? = Variables.value("SPROCKET_HOME_URL")

    @Option(
        help:
            "Regions: the gateway's PostgreSQL server (home: the primary; a region: its replica), e.g. postgres://…/postgres. [SPROCKET_REGION_DATABASE]"
    )
    var regionDatabase: String? = Variables.value("SPROCKET_REGION_DATABASE")

    @Flag(help: "Regions: serve reads from a replica (--database is the region's replica); writes get 503.")
    var readOnly = Variables.value("SPROCKET_READ_ONLY") == "1"

    @Option(
        help:
            "Regions: milliseconds a read waits for the replica to reach its Sprocket-Position. [SPROCKET_READ_WAIT_MS]"
    )
    var readWaitMs: Int = Variables.value("SPROCKET_READ_WAIT_MS").flatMap(Int.init) ?? 500

    func validate() throws {
        if readOnly, service == nil || service == "gateway" {
            throw ValidationError("--read-only runs one service of a region: give --service NAME")
        }
        if homeURL != nil || regionDatabase != nil, region == nil {
            throw ValidationError("--home-url and --region-database belong to a gateway with --region NAME")
        }
        guard (0...10_000).contains(readWaitMs) else { throw ValidationError("--read-wait-ms is 0 to 10000") }
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
            var regionOptions = RegionOptions()
            regionOptions.name = region
            regionOptions.homeURL = homeURL
            regionOptions.database = regionDatabase
            regionOptions.readOnly = readOnly
            regionOptions.readWait = .milliseconds(readWaitMs)
            let options = DistributedOptions(
                natsURL: nats, upstreams: upstream, customersURL: customersURL, region: regionOptions)
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
