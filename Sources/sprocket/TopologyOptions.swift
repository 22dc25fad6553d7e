import ArgumentParser
import Composition

/// Where a local cluster's processes listen and what they add to their arguments: shared by
/// `sprocket topology` and `sprocket cluster start`.
struct TopologyOptions: ParsableArguments {
    @Option(help: "The gateway's port.")
    var gatewayPort = 8080

    @Option(help: "Each service listens on this plus its own offset (catalog 1, customers 2, …).")
    var portBase = 8100

    @Option(help: "Put before each service's database name.")
    var databasePrefix = ""

    @Option(help: "More than one process for a service or the gateway, e.g. orders=2 (repeatable).")
    var replicas: [String] = []

    @Option(help: "Regions: the region the cluster serves, e.g. madrid.")
    var region: String?

    @Option(
        help:
            "Regions: the home region's gateway; the cluster then serves reads from a replica (the PostgreSQL server given) and sends writes there."
    )
    var homeURL: String?

    @Argument(
        parsing: .postTerminator, help: "After --: arguments added to every process, e.g. -- --log-level info.")
    var extra: [String] = []

    /// The cluster's processes with PostgreSQL at `postgres` and NATS at `nats`.
    func topology(postgres: String, nats: String) throws -> Topology {
        var environment = Topology.Environment()
        environment.gatewayPort = gatewayPort
        environment.portBase = portBase
        environment.postgres = postgres
        environment.databasePrefix = databasePrefix
        environment.nats = nats
        environment.extraArguments = extra
        environment.region = region
        environment.homeURL = homeURL
        if homeURL != nil, region == nil { throw ValidationError("--home-url needs --region NAME") }
        for pair in replicas {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, parts[0] == "gateway", let count = Int(parts[1]), (1...9).contains(count) {
                environment.gatewayReplicas = count
                continue
            }
            guard parts.count == 2, let service = ServiceName(rawValue: parts[0]), let count = Int(parts[1]),
                (1...9).contains(count)
            else { throw ValidationError("--replicas takes SERVICE=COUNT (1 to 9), e.g. orders=2") }
            environment.replicas[service] = count
        }
        return Topology(environment)
    }
}
