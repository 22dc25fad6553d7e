import ArgumentParser
import Composition
import Foundation

/// `sprocket deploy render`: writes the deployment files under `deploy/` from the services' list.
struct DeployCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy", abstract: "Deployment files.", subcommands: [Render.self])

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Write docker-compose.yml, postgres-init.sql and the Kubernetes base for every service (a test checks the committed ones)."
        )

        @Option(help: "The folder to write into.")
        var output = "deploy"

        func run() throws {
            let root = URL(fileURLWithPath: output)
            for (path, text) in DeploymentFiles.render() {
                let file = root.appendingPathComponent(path)
                try FileManager.default.createDirectory(
                    at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try text.write(to: file, atomically: true, encoding: .utf8)
                print("wrote \(file.path)")
            }
        }
    }
}
