import Composition
import Foundation
import Testing

@Suite("One topology: the cluster and the deployment files come from the services' list")
struct TopologyTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy")

    @Test func theCommittedDeploymentFilesAreWhatTheRendererWrites() throws {
        for (path, text) in DeploymentFiles.render() {
            let committed = try? String(contentsOf: Self.deploy.appendingPathComponent(path), encoding: .utf8)
            #expect(committed == text, "deploy/\(path) differs: run `swift run sprocket deploy render`")
        }
        // And nothing rendered once is left behind: every manifest belongs to a process.
        let manifests = try FileManager.default.contentsOfDirectory(
            at: Self.deploy.appendingPathComponent("k8s/base"), includingPropertiesForKeys: nil
        ).map(\.lastPathComponent).sorted()
        let rendered = DeploymentFiles.render().map(\.path).filter { $0.hasPrefix("k8s/base/") }
            .map { String($0.dropFirst("k8s/base/".count)) }.sorted()
        #expect(manifests == rendered)
    }

    @Test func everyServiceRunsOnItsOwnPortAndDatabaseAndTheTokenIssuerStartsFirst() throws {
        var environment = Topology.Environment()
        environment.portBase = 30_000
        environment.gatewayPort = 30_000
        let orders = try #require(ServiceName(rawValue: "orders"))
        environment.replicas[orders] = 2
        environment.databasePrefix = "run1_"
        let processes = Topology(environment).processes
        #expect(
            processes.map(\.name)
                == ServiceName.startOrder.flatMap { $0 == orders ? ["orders", "orders2"] : [$0.rawValue] } + ["gateway"]
        )
        #expect(Set(processes.map(\.port)).count == processes.count)
        #expect(processes.first?.service == "customers")
        #expect(processes.last?.arguments.filter { $0 == "--upstream" }.count == ServiceName.allCases.count + 1)
        let orders2 = processes.first { $0.name == "orders2" }
        #expect(orders2?.database == "run1_orders")
        #expect(orders2?.arguments.contains("postgres://postgres@127.0.0.1:55432/run1_orders") == true)
        #expect(processes.filter { $0.arguments.contains("--customers-url") }.count == processes.count - 2)
    }
}
