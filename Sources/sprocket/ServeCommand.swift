import ArgumentParser
import Foundation
import Hummingbird
import System

/// `sprocket serve`: runs the system until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run every service in one process (embedded mode, SQLite by default)."
    )

    @OptionGroup var options: SystemOptions

    @Option(help: "Interface to listen on. [SPROCKET_HOST]")
    var host: String = Environment.value("SPROCKET_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on. [SPROCKET_PORT]")
    var port: Int = Environment.value("SPROCKET_PORT").flatMap(Int.init) ?? 8080

    @Flag(help: "Load the demo catalog and accounts at start (idempotent).")
    var demo = false

    func run() async throws {
        let logger = options.makeLogger()
        var configuration = options.configuration()
        configuration.host = host
        configuration.port = port
        let system = try await EmbeddedSystem.build(configuration, logger: logger)
        if demo {
            let loaded = try await DemoData.load(into: system)
            print(
                "Demo data: \(loaded.parts) new parts, \(loaded.accounts) new accounts. Demo accounts (email / password):"
            )
            print(DemoData.accountSummary)
        }
        print("Sprocket listening on http://\(host):\(port) — API under /api/v1, docs at /docs")
        do {
            try await system.application().runService()
        } catch {
            await system.close()
            throw error
        }
        await system.close()
    }
}
