import Foundation
import Testing
import TestSupport

/// The README's "Coming from another order system" section, run as written (every `sh` block, in order,
/// under `set -euo pipefail`) against a real `sprocket serve --demo` on a free port.
@Suite("README examples against a real server", .serialized)
struct ReadmeExamplesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `sh` blocks of the README section headed `heading`, in order.
    static func shellBlocks(under heading: String) throws -> [String] {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let parts = readme.components(separatedBy: "\n## \(heading)\n")
        guard parts.count == 2 else { throw ClusterError.failed("README has no section \(heading)") }
        let section = parts[1].components(separatedBy: "\n## ")[0]
        var blocks: [String] = []
        var current: [Substring] = []
        var inBlock = false
        for line in section.split(separator: "\n", omittingEmptySubsequences: false) {
            if !inBlock, line == "```sh" {
                inBlock = true
                current = []
            } else if inBlock, line == "```" {
                blocks.append(current.joined(separator: "\n"))
                inBlock = false
            } else if inBlock {
                current.append(line)
            }
        }
        return blocks
    }

    @Test func theComingFromSectionRunsAsWrittenAgainstADemoServer() async throws {
        let blocks = try Self.shellBlocks(under: "Coming from another order system")
        #expect(blocks.count >= 6)
        let binary =
            ProcessInfo.processInfo.environment["SPROCKET_BIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.root.appendingPathComponent(".build/debug/sprocket").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "readme-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A port found free may be taken by a concurrent test before the server binds it: the server then
        // exits, and another port is tried (its readiness is never asked of someone else's server).
        var started: (server: ChildProcess, port: Int)?
        for attempt in 0..<5 where started == nil {
            let port = FreePorts.range(1)
            // Line-buffered, so the log shows "listening" when it is said.
            let server = try ChildProcess(
                "/usr/bin/stdbuf",
                [
                    "-oL", binary, "serve", "--demo", "--host", "127.0.0.1", "--port", "\(port)", "--bcrypt-cost", "4",
                    "--data-dir", directory.appendingPathComponent("data-\(attempt)").path,
                ],
                output: directory.appendingPathComponent("server.log").path)
            // Ready once it has said it listens (it binds right after saying so, and exits if it cannot),
            // it is still running a second later, and the port answers.
            let log = directory.appendingPathComponent("server.log").path
            var ready = false
            for _ in 0..<600 where !ready && server.isRunning {
                let listening = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
                    .contains("listening on http://127.0.0.1:\(port)")
                if listening {
                    try await Task.sleep(for: .seconds(1))
                    let status = try? await HTTP.send(.GET, "http://127.0.0.1:\(port)/health/ready").status
                    ready = server.isRunning && status == 200
                }
                if !ready { try await Task.sleep(for: .milliseconds(100)) }
            }
            if ready && server.isRunning {
                started = (server, port)
            } else {
                server.signal()
                server.waitUntilExit()
            }
        }
        let (server, port) = try #require(started, "the demo server did not become ready")
        defer {
            server.signal()
            server.waitUntilExit()
        }

        let script = directory.appendingPathComponent("examples.sh")
        let body = blocks.joined(separator: "\n").replacingOccurrences(of: "localhost:8080", with: "127.0.0.1:\(port)")
        try ("set -euo pipefail\n" + body + "\n").write(to: script, atomically: true, encoding: .utf8)
        let outputPath = directory.appendingPathComponent("examples.out").path
        let run = try ChildProcess("/bin/bash", [script.path], output: outputPath)
        let status = run.waitUntilExit()
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        #expect(status == 0, "the examples stopped (exit \(status)):\n\(output.suffix(3000))")
        // GraphQL answers 200 with errors beside the data, and problems carry field errors: none may appear.
        #expect(!output.contains("\"errors\""), "\(output.suffix(3000))")
        #expect(output.contains("\"order.illegal_transition\""), "the refused move is shown")
        #expect(output.contains("\"price_total\""))
    }
}
