import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SQLKit
import Storage
import TestSupport

/// The distributed system as real processes on 127.0.0.1: every service (orders twice) and the gateway, each
/// `sprocket serve --service …` with its own PostgreSQL database, events over the test nats-server. Started
/// and stopped by `sprocket cluster` (the launcher of `scripts/dev-cluster`), which reads the topology.
final class Cluster: Sendable {
    let binary: String
    let run = "e2e\(UInt32.random(in: 0...UInt32.max))"
    let basePort = FreePorts.range(20)
    /// One process of the topology, as `sprocket topology` prints it.
    struct Process: Decodable {
        let name: String
        let service: String
        let port: Int
        let database: String?
        let arguments: [String]
    }
    /// Every process, in start order.
    let topology: [Process]
    /// The cluster's folder: its pids and logs.
    let directory: URL
    /// A nats-server of the cluster's own: a stream with only this run's events, so a service's new durable
    /// consumers (which read the stream from its start) see nothing of earlier runs.
    private let nats: NATSServerProcess
    /// What `sprocket topology` and `sprocket cluster start` are told.
    private let options: [String]

    var gateway: String { "http://127.0.0.1:\(port("gateway"))" }

    init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        binary =
            ProcessInfo.processInfo.environment["SPROCKET_BIN"].flatMap { $0.isEmpty ? nil : $0 }
            ?? root.appendingPathComponent(".build/debug/sprocket").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ClusterError.failed(
                "\(binary) is missing: build it with `swift build --product sprocket` or set SPROCKET_BIN (scripts/test does)"
            )
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(run)-cluster")
        nats = try NATSServerProcess()
        try nats.start()
        let server = try TestDatabase.postgresURL().components(separatedBy: "/").dropLast().joined(separator: "/")
        options = [
            "--port-base", String(basePort), "--gateway-port", String(basePort), "--postgres", server,
            "--database-prefix", "\(run)_", "--nats", "nats://127.0.0.1:\(nats.port)", "--replicas", "orders=2",
            "--", "--log-level", "info", "--bcrypt-cost", "4",
        ]
        topology = try Self.readTopology(binary, options, run: run)
    }

    /// Asks the binary for the cluster's processes (the second orders replica included).
    private static func readTopology(_ binary: String, _ options: [String], run: String) throws -> [Process] {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(run)-topology.json")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = try ChildProcess(binary, ["topology", "--format", "json"] + options, output: output.path)
        guard process.waitUntilExit() == 0 else { throw ClusterError.failed("sprocket topology failed") }
        return try JSONDecoder().decode([Process].self, from: Data(contentsOf: output))
    }

    /// The services with a database of their own, in start order.
    var services: [String] { topology.filter { $0.database != nil && $0.name == $0.service }.map(\.service) }

    func port(_ name: String) -> Int { topology.first { $0.name == name }?.port ?? 0 }

    func databaseURL(_ service: String) throws -> String {
        let server = try TestDatabase.postgresURL()
        let base = server.components(separatedBy: "/").dropLast().joined(separator: "/")
        return "\(base)/\(run)_\(service)"
    }

    func dropDatabases() async {
        guard
            let admin = try? await Database.open(
                try DatabaseLocation(parsing: try TestDatabase.postgresURL()), logger: TestDatabase.logger)
        else { return }
        for service in services {
            try? await admin.read { db in
                try await db.raw("DROP DATABASE IF EXISTS \(ident: "\(run)_\(service)") WITH (FORCE)").run()
            }
        }
        await admin.close()
    }

    /// The arguments that start process `name` (from the topology).
    func arguments(_ name: String) throws -> [String] {
        guard let process = topology.first(where: { $0.name == name }) else {
            throw ClusterError.failed("the topology has no process \(name)")
        }
        return process.arguments
    }

    /// Runs `sprocket cluster …` on this cluster's folder to its end.
    private func launcher(_ arguments: [String]) throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(run)-launcher.log")
        let status = try ChildProcess(binary, ["cluster"] + arguments, output: output.path).waitUntilExit()
        guard status == 0 else {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw ClusterError.failed("sprocket cluster \(arguments.first ?? "") exited \(status): \(text)")
        }
    }

    /// Starts every process, creating the databases first, each ready before the next.
    func startAll() async throws {
        try launcher(["start", "--dir", directory.path] + options)
    }

    /// Starts process `name` (creating the databases first if need be) and waits until it is ready.
    func start(_ name: String) async throws {
        try launcher(["start", "--dir", directory.path, "--process", name] + options)
    }

    /// Where the process `name` writes its JSON log lines.
    func logFile(_ name: String) -> URL { directory.appendingPathComponent("\(name).log") }

    /// How many requests for paths starting with `prefix` the process `service` logged.
    func requestsServed(_ service: String, pathPrefix prefix: String) -> Int {
        let text = (try? String(contentsOf: logFile(service), encoding: .utf8)) ?? ""
        let escaped = prefix.replacingOccurrences(of: "/", with: "\\/")
        return text.split(separator: "\n").filter {
            $0.contains("\"msg\":\"request\"") && $0.contains("\"path\":\"\(escaped)")
        }.count
    }

    /// Runs `body` on one service's database.
    func withDatabase<T: Sendable>(_ service: String, _ body: @Sendable (Database) async throws -> T) async throws -> T
    {
        try await Database.with(
            try DatabaseLocation(parsing: try databaseURL(service)), logger: TestDatabase.logger, body)
    }

    /// Stops process `name` with SIGTERM (graceful) and waits for it to exit.
    func stop(_ name: String) throws {
        try launcher(["stop", "--dir", directory.path, "--process", name])
    }

    func removeLogs() {
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(
            at: FileManager.default.temporaryDirectory.appendingPathComponent("\(run)-launcher.log"))
    }

    func stopAll() {
        try? launcher(["stop", "--dir", directory.path])
        nats.stop()
    }

    func createUser(email: String, role: String) throws {
        let process = try ChildProcess(
            binary,
            [
                // The first process is the service that issues tokens.
                "users", "add", "--service-database", try databaseURL(topology.first?.service ?? ""), "--role", role,
                "--email", email,
                "--password", "correct-horse", "--bcrypt-cost", "4", "--log-level", "error",
            ])
        let status = process.waitUntilExit()
        guard status == 0 else { throw ClusterError.failed("users add exited \(status)") }
    }
}

enum ClusterError: Error {
    case failed(String)
}

/// A tiny JSON-over-HTTP client for the end-to-end tests.
enum HTTP {
    struct Reply: Sendable {
        let status: Int
        let text: String
        var object: [String: Any] {
            ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]) ?? [:]
        }
        var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
    }

    static func send(
        _ method: HTTPMethod, _ url: String, json: String? = nil, token: String? = nil,
        contentType: String = "application/json"
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let json {
            request.headers.add(name: "content-type", value: contentType)
            request.body = .bytes(ByteBuffer(string: json))
        }
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 10 << 20)
        return Reply(status: Int(response.status.code), text: String(buffer: body))
    }

    /// Signs `email` in to the back office at `gateway`, as a browser does (the sign-in page's cookie
    /// and CSRF token, then the form); the session cookie (`name=value`).
    static func backOfficeSession(_ gateway: String, _ email: String) async throws -> String {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        defer { _ = client.shutdown() }
        let page = try await client.execute(HTTPClientRequest(url: "\(gateway)/admin/sign-in"), timeout: .seconds(10))
        let html = String(buffer: try await page.body.collect(upTo: 1 << 20))
        let signInCookie = page.headers["set-cookie"].first.map { String($0.prefix { $0 != ";" }) } ?? ""
        guard let range = html.range(of: #"name="csrf" value=""#) else {
            throw ClusterError.failed("no sign-in form: \(html.prefix(300))")
        }
        let csrf = html[range.upperBound...].prefix { $0 != "\"" }
        var form = HTTPClientRequest(url: "\(gateway)/admin/sign-in")
        form.method = .POST
        form.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        form.headers.add(name: "cookie", value: signInCookie)
        let email = email.replacingOccurrences(of: "@", with: "%40")
        form.body = .bytes(ByteBuffer(string: "csrf=\(csrf)&email=\(email)&password=correct-horse"))
        let answer = try await client.execute(form, timeout: .seconds(10))
        guard answer.status == .seeOther,
            let session = answer.headers["set-cookie"].first(where: { $0.hasPrefix("sprocket_admin=") })
        else { throw ClusterError.failed("sign-in answered \(answer.status)") }
        return String(session.prefix { $0 != ";" })
    }

    /// A back-office page at `url` with the session cookie `session`.
    static func backOfficePage(_ url: String, session: String) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "cookie", value: session)
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return Reply(
            status: Int(response.status.code), text: String(buffer: try await response.body.collect(upTo: 4 << 20)))
    }

    static func token(_ gateway: String, _ email: String) async throws -> String {
        let reply = try await send(
            .POST, "\(gateway)/api/v1/auth/token", json: #"{"email":"\#(email)","password":"correct-horse"}"#)
        guard let token = reply.object["accessToken"] as? String else {
            throw ClusterError.failed("login failed: \(reply.text)")
        }
        return token
    }
}
