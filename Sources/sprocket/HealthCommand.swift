import ArgumentParser
import AsyncHTTPClient
import Foundation

/// `sprocket health`: asks a running process whether it is ready (the image's health check, so the image
/// needs no curl).
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Exit 0 when the process on this machine answers 200 on its readiness (or liveness) check.")

    @Option(help: "The port the process listens on. [SPROCKET_PORT]")
    var port = Int(ProcessInfo.processInfo.environment["SPROCKET_PORT"] ?? "") ?? 8080

    @Flag(help: "Ask /health/live (the process runs) instead of /health/ready (it can serve).")
    var live = false

    func run() async throws {
        let url = "http://127.0.0.1:\(port)/health/\(live ? "live" : "ready")"
        let status: Int
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(3))
            status = Int(response.status.code)
        } catch {
            print("\(url): \(error)")
            throw ExitCode.failure
        }
        print("\(url): \(status)")
        guard status == 200 else { throw ExitCode.failure }
    }
}
