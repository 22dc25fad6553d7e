import Foundation

/// The distributed system on one machine: every process (each service, extra replicas, the gateway), its
/// port, its database and the `sprocket serve` arguments that start it. Declared once, from
/// ``ServiceName``; `scripts/dev-cluster`, `scripts/faults` and the distributed tests start their clusters
/// from it (`sprocket topology`), and the deployment files are rendered from the same list.
public struct Topology: Sendable {
    /// Where the cluster's parts are.
    public struct Environment: Sendable {
        /// The gateway's port.
        public var gatewayPort = 8080
        /// Each service listens on this plus its ``ServiceName/portOffset``; replica `n` (2, 3, …) of a
        /// service 10 × (n − 1) above that.
        public var portBase = 8100
        /// The PostgreSQL server, without a database: each service gets `<server>/<prefix><service>`.
        public var postgres = "postgres://postgres@127.0.0.1:55432"
        public var databasePrefix = ""
        public var nats = "nats://127.0.0.1:4222"
        /// How many processes run each service (1 when not named).
        public var replicas: [ServiceName: Int] = [:]
        /// How many gateways run: replica `n` (2, 3, …) listens 10 × (n − 1) above ``gatewayPort``.
        public var gatewayReplicas = 1
        /// Added to every process's arguments (e.g. `--log-level info`).
        public var extraArguments: [String] = []
        /// Regions: the region this cluster serves (`nil`: one region, nothing said).
        public var region: String?
        /// Regions: a regional cluster's home gateway. Its services then serve reads from ``postgres`` (the
        /// region's replica of home's server), and its gateway sends writes there.
        public var homeURL: String?

        public init() {}
    }

    /// One process of the cluster.
    public struct Process: Sendable, Codable, Equatable {
        /// `orders`, `orders2` for its second replica, `gateway`.
        public let name: String
        /// What it runs: the `--service` value.
        public let service: String
        public let port: Int
        /// The database name (`nil` for the gateway).
        public let database: String?
        /// `sprocket serve …`, without the executable.
        public let arguments: [String]
    }

    public let environment: Environment

    public init(_ environment: Environment = .init()) {
        self.environment = environment
    }

    /// Every process in start order: the services (each replica after the first), then the gateways.
    public var processes: [Process] {
        let environment = self.environment
        let issuer = ServiceName.tokenIssuer
        var processes: [Process] = []
        for service in ServiceName.startOrder {
            let database = environment.databasePrefix + service.rawValue
            for replica in 1...max(1, environment.replicas[service] ?? 1) {
                let port = environment.portBase + service.portOffset + 10 * (replica - 1)
                var arguments = [
                    "serve", "--service", service.rawValue, "--port", String(port), "--database",
                    "\(environment.postgres)/\(database)", "--nats", environment.nats,
                ]
                if environment.homeURL != nil { arguments.append("--read-only") }
                if let issuer, issuer != service {
                    arguments += ["--customers-url", "http://127.0.0.1:\(environment.portBase + issuer.portOffset)"]
                }
                processes.append(
                    Process(
                        name: replica == 1 ? service.rawValue : "\(service.rawValue)\(replica)",
                        service: service.rawValue, port: port, database: database,
                        arguments: arguments + environment.extraArguments))
            }
        }
        var gateway = ["serve", "--service", "gateway", "--port", String(environment.gatewayPort)]
        for process in processes {
            gateway += ["--upstream", "\(process.service)=http://127.0.0.1:\(process.port)"]
        }
        // GraphQL subscriptions at the gateway hear of order changes from NATS.
        gateway += ["--nats", environment.nats]
        if let region = environment.region {
            gateway += ["--region", region, "--region-database", "\(environment.postgres)/postgres"]
            if let homeURL = environment.homeURL { gateway += ["--home-url", homeURL] }
        }
        for replica in 1...max(1, environment.gatewayReplicas) {
            let port = environment.gatewayPort + 10 * (replica - 1)
            var arguments = gateway
            arguments[4] = String(port)
            processes.append(
                Process(
                    name: replica == 1 ? "gateway" : "gateway\(replica)", service: "gateway", port: port,
                    database: nil, arguments: arguments + environment.extraArguments))
        }
        return processes
    }

    /// `processes` one per line for shell scripts: name, service, port, database (`-` for none) and the
    /// arguments (separated by spaces), separated by tabs.
    public static func tsv(_ processes: [Process]) -> String {
        processes.map { process in
            [
                process.name, process.service, String(process.port), process.database ?? "-",
                process.arguments.joined(separator: " "),
            ].joined(separator: "\t") + "\n"
        }.joined()
    }
}
