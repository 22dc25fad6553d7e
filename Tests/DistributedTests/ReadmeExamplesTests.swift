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
        let port = FreePorts.range(1)
        let server = try ChildProcess(
            binary,
            [
                "serve", "--demo", "--host", "127.0.0.1", "--port", "\(port)", "--bcrypt-cost", "4",
                "--data-dir", directory.appendingPathComponent("data").path,
            ],
            output: directory.appendingPathComponent("server.log").path)
        defer {
            server.signal()
            server.waitUntilExit()
        }
        var ready = false
        for _ in 0..<600 where !ready {
            ready = (try? await HTTP.send(.GET, "http://127.0.0.1:\(port)/health/ready").status) == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready, "the demo server did not become ready")

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
