import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Loopback TCP probes for tests that start servers.
public enum Socket {
    /// Whether something accepts TCP connections on 127.0.0.1:`port` now.
    public static func canConnect(port: Int) throws -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }

    /// Waits up to `timeout` seconds for `port` to accept connections.
    public static func waitUntilOpen(port: Int, timeout: TimeInterval = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? canConnect(port: port)) == true { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}

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
    private var process: ChildProcess?

    public init(port: Int = FreePorts.range()) throws {
        self.port = port
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "nats-\(port)-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    /// Starts the server (JetStream on, loopback only) and waits until it accepts connections.
    public func start() throws {
        let candidates = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw MissingNATS()
        }
        process = try ChildProcess(binary, ["-js", "-sd", directory.path, "-a", "127.0.0.1", "-p", String(port)])
        guard Socket.waitUntilOpen(port: port) else { throw MissingNATS() }
    }

    /// Stops the server (SIGTERM) and waits for it to exit.
    public func stop() {
        process?.signal(SIGTERM)
        process?.waitUntilExit()
        process = nil
    }

    /// Kills the server (SIGKILL: no goodbye to its clients, as a crash) and waits for it to exit.
    public func kill() {
        process?.signal(SIGKILL)
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
