import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `sprocket serve` told to stop (SIGTERM), as in a rolling restart: it answers `/health/ready` 503 at
/// once while it still serves, stops listening after the drain delay, finishes the request under way,
/// and exits 0. The same code stops every process of both modes.
@Suite("A process told to stop drains")
struct GracefulStopTests {
    private static var binary: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return ProcessInfo.processInfo.environment["SPROCKET_BIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? root.appendingPathComponent(".build/debug/sprocket").path
    }

    /// The status of `GET path` on a new connection, or `nil` when no connection could be made.
    private static func get(_ port: Int, _ path: String) async -> (status: Int?, text: String)? {
        guard let connection = try? await RawConnection.open(port: port) else { return nil }
        try? await connection.send("GET \(path) HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        let status = try? await connection.status(within: .seconds(5))
        return (status, connection.text)
    }

    @Test func sigtermMeansNotReadyThenNoNewConnectionsWhileTheRequestUnderWayFinishes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("drain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let port = FreePorts.range()
        let log = directory.path + ".log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let process = try ChildProcess(
            Self.binary,
            [
                "serve", "--data-dir", directory.path, "--port", "\(port)", "--drain-delay", "5", "--shutdown-grace",
                "60",
            ], output: log)
        defer { process.signal(SIGKILL) }
        // A grace far longer than the test's own steps: with every suite running at once, the steps below
        // took more than 15 s once, and the process rightly gave up the request it was still waiting for.
        var ready = false
        for _ in 0..<300 where !ready {
            ready = await Self.get(port, "/health/ready")?.status == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(ready, "the process never became ready")
        let version = try #require(await Self.get(port, "/version"))
        #expect(version.status == 200 && version.text.contains(#""api":"v1""#))

        // A request under way: its head and the start of its body sent.
        let body = #"{"email":"nobody@example.com","password":"not-the-password"}"#
        let underWay = try await RawConnection.open(port: port)
        try await underWay.send(
            "POST /api/v1/auth/token HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\n\r\n\(body.prefix(10))")
        try await Task.sleep(for: .milliseconds(200))

        process.signal(SIGTERM)
        try await Task.sleep(for: .milliseconds(500))
        // Draining: not ready, but alive and serving (for 5 s: long enough on a loaded machine).
        let draining = try #require(await Self.get(port, "/health/ready"))
        #expect(draining.status == 503 && draining.text.contains("draining"))
        #expect(await Self.get(port, "/health/live")?.status == 200)

        // After the drain delay it takes no new connection, and still runs: the request is under way.
        var listening = true
        for _ in 0..<100 where listening {
            try await Task.sleep(for: .milliseconds(100))
            listening = await Self.get(port, "/health/live") != nil
        }
        #expect(!listening, "still listening after the drain delay")
        #expect(process.isRunning)

        // The rest of the body: the request is answered (401: no such account), then the process ends.
        try await underWay.send(String(body.dropFirst(10)))
        #expect(try await underWay.status(within: .seconds(5)) == 401)
        var exited = false
        for _ in 0..<200 where !exited {
            exited = !process.isRunning
            if !exited { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(exited, "the process did not exit within the grace period")
        #expect(process.waitUntilExit() == 0)
    }
}
