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

    @Test func aRegionsProcessesReadFromItsReplicaAndItsGatewayKnowsHome() throws {
        var home = Topology.Environment()
        home.region = "madrid"
        let homeGateway = try #require(Topology(home).processes.last)
        #expect(homeGateway.arguments.contains("--region") && !homeGateway.arguments.contains("--home-url"))
        #expect(homeGateway.arguments.contains("postgres://postgres@127.0.0.1:55432/postgres"))
        #expect(Topology(home).processes.allSatisfy { !$0.arguments.contains("--read-only") })

        var region = Topology.Environment()
        region.region = "chicago"
        region.homeURL = "http://127.0.0.1:9031"
        region.postgres = "postgres://postgres@127.0.0.1:9020"
        let processes = Topology(region).processes
        let services = processes.filter { $0.service != "gateway" }
        #expect(services.count == ServiceName.allCases.count)
        #expect(services.allSatisfy { $0.arguments.contains("--read-only") })
        #expect(services.allSatisfy { $0.arguments.contains { $0.hasPrefix("postgres://postgres@127.0.0.1:9020/") } })
        let gateway = try #require(processes.last)
        #expect(gateway.arguments.split(separator: "--home-url").count == 2)
        #expect(gateway.arguments.contains("http://127.0.0.1:9031"))
        #expect(gateway.arguments.contains("postgres://postgres@127.0.0.1:9020/postgres"))
    }

    /// Without a region nothing regional is said: the single-region cluster is what it was.
    @Test func withoutARegionNoProcessHearsOfRegions() {
        let arguments = Topology().processes.flatMap(\.arguments)
        for flag in ["--region", "--home-url", "--region-database", "--read-only"] {
            #expect(!arguments.contains(flag))
        }
    }
}
