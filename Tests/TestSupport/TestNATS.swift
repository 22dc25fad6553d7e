import Foundation

/// The nats-server for tests: `SPROCKET_TEST_NATS` (set by `scripts/test`), or a private one a test starts.
public enum TestNATS {
    /// Host and port of the shared test server; fails (never skips) when it is not configured.
    public static func server() throws -> (host: String, port: Int) {
        guard let url = ProcessInfo.processInfo.environment["SPROCKET_TEST_NATS"],
            let components = URLComponents(string: url),
            let host = components.host, let port = components.port
        else { throw MissingNATS() }
        return (host, port)
    }

    /// A unique name, so tests sharing one server do not share streams or consumers.
    public static func unique(_ prefix: String) -> String {
        "\(prefix)\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// A nats-server process of a test's own (to stop and restart it).
public final class NATSServerProcess: @unchecked Sendable {
    public let port: Int
    private let directory: URL
    private var process: Process?

    public init() throws {
        port = Int.random(in: 30_000...39_999)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nats-\(port)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts the server (JetStream on, loopback only) and waits until it accepts connections.
    public func start() throws {
        let process = Process()
        let candidates = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw MissingNATS()
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-js", "-sd", directory.path, "-a", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        Thread.sleep(forTimeInterval: 0.5)
    }

    /// Stops the server (SIGTERM) and waits for it to exit.
    public func stop() {
        process?.terminate()
        process?.waitUntilExit()
        process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// NATS tests were run without a server: run them through `scripts/test`, which starts nats-server.
public struct MissingNATS: Error, CustomStringConvertible {
    public var description: String {
        "SPROCKET_TEST_NATS is not set or nats-server is not installed: run the suite with scripts/test"
    }
}
