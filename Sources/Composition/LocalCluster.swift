import AsyncHTTPClient
import Foundation
import Logging
import SQLKit
import Storage

#if canImport(Glibc)
    import Glibc
#endif

/// The distributed system started on this machine from its ``Topology``: every process detached, with its
/// pid and log in one folder, PostgreSQL and nats-server either private to the cluster (started here) or
/// given. `sprocket cluster` runs it; `scripts/dev-cluster`, `scripts/faults` and the distributed tests all
/// start their clusters through it.
public struct LocalCluster: Sendable {
    /// What a started cluster is, kept in `cluster.json` so `stop` and `status` need only the folder.
    public struct Plan: Codable, Sendable {
        /// Every process in start order.
        public var processes: [Topology.Process]
        /// The PostgreSQL server, without a database.
        public var postgres: String
        /// The port of the cluster's own PostgreSQL (in `pg/`); `nil` when the server is someone else's.
        public var privatePostgresPort: Int?
        /// The port of the cluster's own nats-server (in `nats/`); `nil` when it is someone else's.
        public var privateNATSPort: Int?

        public init(processes: [Topology.Process], postgres: String, privatePostgresPort: Int?, privateNATSPort: Int?) {
            self.processes = processes
            self.postgres = postgres
            self.privatePostgresPort = privatePostgresPort
            self.privateNATSPort = privateNATSPort
        }
    }

    public let directory: URL
    public let plan: Plan
    /// The `sprocket` that runs each process.
    let executable = ProcessControl.currentExecutable

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(directory: URL, plan: Plan) {
        self.directory = directory
        self.plan = plan
    }

    /// The cluster started before in `directory`.
    public init(directory: URL) throws {
        let file = directory.appendingPathComponent("cluster.json")
        guard let data = try? Data(contentsOf: file) else {
            throw Failure(description: "no cluster was started in \(directory.path)")
        }
        self.init(directory: directory, plan: try JSONDecoder().decode(Plan.self, from: data))
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The pid of process `name` (`nats` for the private nats-server) when it runs.
    public func runningPID(_ name: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path("\(name).pid"), encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), ProcessControl.isRunning(pid)
        else { return nil }
        return pid
    }

    /// Starts what does not run yet (all processes, or those named in `only`), each ready before the next;
    /// with `admin`, creates that account once per cluster.
    public func start(only: Set<String> = [], admin: (email: String, password: String)? = nil) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(plan).write(to: directory.appendingPathComponent("cluster.json"))
        try Topology.tsv(plan.processes).write(toFile: path("topology.tsv"), atomically: true, encoding: .utf8)
        if let port = plan.privatePostgresPort { try startPostgres(port: port) }
        if let port = plan.privateNATSPort { try startNATS(port: port) }
        try await createDatabases()
        let unknown = only.subtracting(plan.processes.map(\.name))
        guard unknown.isEmpty else {
            throw Failure(description: "the cluster has no process \(unknown.sorted().joined(separator: ", "))")
        }
        for process in plan.processes where only.isEmpty || only.contains(process.name) {
            guard runningPID(process.name) == nil else { continue }
            let pid = try ProcessControl.spawnDetached(executable, process.arguments, log: path("\(process.name).log"))
            try "\(pid)\n".write(toFile: path("\(process.name).pid"), atomically: true, encoding: .utf8)
            try await waitReady(process, pid: pid)
        }
        if let admin, !FileManager.default.fileExists(atPath: path("admin-added")),
            let issuer = ServiceName.tokenIssuer,
            let database = plan.processes.first(where: { $0.service == issuer.rawValue })?.database
        {
            // Once per cluster: bcrypt at the default cost takes seconds in a debug build.
            try ProcessControl.run(
                executable,
                [
                    "users", "add", "--service-database", "\(plan.postgres)/\(database)", "--role", "admin",
                    "--email", admin.email, "--password", admin.password, "--log-level", "error",
                ], log: path("admin.log"))
            _ = FileManager.default.createFile(atPath: path("admin-added"), contents: nil)
        }
    }

    /// Stops the processes named in `only` (all of them, then the private servers, when it is empty), last
    /// started first, each with SIGTERM and up to 30 s to finish.
    public func stop(only: Set<String> = []) async throws {
        for process in plan.processes.reversed() where only.isEmpty || only.contains(process.name) {
            if let pid = runningPID(process.name) { await ProcessControl.terminate(pid) }
            try? FileManager.default.removeItem(atPath: path("\(process.name).pid"))
        }
        guard only.isEmpty else { return }
        if let pid = runningPID("nats") { await ProcessControl.terminate(pid) }
        try? FileManager.default.removeItem(atPath: path("nats.pid"))
        if plan.privatePostgresPort != nil, FileManager.default.fileExists(atPath: path("pg")) {
            _ = try? asPostgres(try postgresBinary("pg_ctl"), ["-D", path("pg"), "-m", "fast", "stop"])
        }
    }

    /// One line per process: its name and whether it runs.
    public var status: [String] {
        let names = (plan.privateNATSPort == nil ? [] : ["nats"]) + plan.processes.map(\.name)
        return names.map { name in
            runningPID(name).map { "\(name): running (pid \($0))" } ?? "\(name): stopped"
        }
    }

    private func waitReady(_ process: Topology.Process, pid: pid_t) async throws {
        // Up to 60 s: a debug build on a loaded 2-core machine starts slowly.
        let url = "http://127.0.0.1:\(process.port)/health/ready"
        for _ in 0..<600 {
            if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(2)),
                response.status == .ok
            {
                return
            }
            guard ProcessControl.isRunning(pid) else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let log = (try? String(contentsOfFile: path("\(process.name).log"), encoding: .utf8)) ?? ""
        let state = ProcessControl.isRunning(pid) ? "still running" : "exited"
        throw Failure(
            description: """
                \(process.name) did not start on port \(process.port) (\(state)); the end of \(path("\(process.name).log")):
                \(log.split(separator: "\n").suffix(40).joined(separator: "\n"))
                """)
    }

    /// Creates each service's database unless it exists.
    private func createDatabases() async throws {
        let logger = Logger(label: "cluster") { _ in SwiftLogNoOpLogHandler() }
        try await Database.with(try DatabaseLocation(parsing: "\(plan.postgres)/postgres"), logger: logger) { admin in
            for name in Set(plan.processes.compactMap(\.database)).sorted() {
                try await admin.read { db in
                    let exists = try await db.raw("SELECT 1 FROM pg_database WHERE datname = \(bind: name)").all()
                    if exists.isEmpty { try await db.raw("CREATE DATABASE \(ident: name)").run() }
                }
            }
        }
    }

    // MARK: - The private servers

    private func postgresBinary(_ name: String) throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .compactMap(Int.init).sorted()
        guard let version = versions.last else {
            throw Failure(description: "PostgreSQL is not installed (apt-get install postgresql)")
        }
        return "\(root)/\(version)/bin/\(name)"
    }

    /// Runs a PostgreSQL tool as the `postgres` user when this is root (the server refuses to run as root).
    @discardableResult
    private func asPostgres(_ tool: String, _ arguments: [String]) throws -> Int32 {
        ProcessControl.isRoot
            ? try ProcessControl.run("runuser", ["-u", "postgres", "--", tool] + arguments, log: path("pg-ctl.log"))
            : try ProcessControl.run(tool, arguments, log: path("pg-ctl.log"))
    }

    private func startPostgres(port: Int) throws {
        let data = path("pg")
        if !FileManager.default.fileExists(atPath: data) {
            if ProcessControl.isRoot { try ProcessControl.run("chown", ["postgres", directory.path]) }
            guard
                try asPostgres(
                    try postgresBinary("initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"])
                    == 0
            else { throw Failure(description: "initdb failed: see \(path("pg-ctl.log"))") }
        }
        let pgctl = try postgresBinary("pg_ctl")
        guard try asPostgres(pgctl, ["-D", data, "status"]) != 0 else { return }
        // Nine services with pools of up to 16 connections each, and tools (psql, pgbench) beside them: more
        // than PostgreSQL's default of 100.
        let options = "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c max_connections=300"
        guard try asPostgres(pgctl, ["-D", data, "-l", path("pg.log"), "-w", "-o", options, "start"]) == 0 else {
            throw Failure(description: "PostgreSQL did not start on port \(port): see \(path("pg.log"))")
        }
    }

    private func startNATS(port: Int) throws {
        guard runningPID("nats") == nil else { return }
        try FileManager.default.createDirectory(atPath: path("nats"), withIntermediateDirectories: true)
        let server =
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/nats-server")
            ? "/usr/sbin/nats-server" : "nats-server"
        let pid = try ProcessControl.spawnDetached(
            server, ["-js", "-sd", path("nats"), "-a", "127.0.0.1", "-p", String(port)], log: path("nats.log"))
        try "\(pid)\n".write(toFile: path("nats.pid"), atomically: true, encoding: .utf8)
        // Services connect with retries, but a nats-server that cannot start should say so here.
        for _ in 0..<100 where !Self.accepts(port: port) {
            guard ProcessControl.isRunning(pid) else {
                throw Failure(description: "nats-server did not start on port \(port): see \(path("nats.log"))")
            }
            usleep(50_000)
        }
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
