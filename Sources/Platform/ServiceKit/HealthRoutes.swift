import Hummingbird
import Storage

/// `/health/live` (the process answers) and `/health/ready` (every database is reachable and migrated,
/// and every other dependency in `checks`, such as the NATS connection, is up).
public enum HealthRoutes {
    public static func add<Context: RequestContext>(
        to router: Router<Context>, databases: [String: Database],
        checks: [String: @Sendable () async -> Bool] = [:]
    ) {
        router.get("/health/live") { _, _ in
            Self.json(status: .ok, #"{"status":"live"}"#)
        }
        router.get("/health/ready") { _, _ in
            var failing: [String] = []
            for (name, database) in databases.sorted(by: { $0.key < $1.key }) where await !database.isReady() {
                failing.append(name)
            }
            for (name, check) in checks.sorted(by: { $0.key < $1.key }) where await !check() {
                failing.append(name)
            }
            if failing.isEmpty { return Self.json(status: .ok, #"{"status":"ready"}"#) }
            let list = failing.map { "\"\($0)\"" }.joined(separator: ",")
            return Self.json(status: .serviceUnavailable, #"{"status":"not_ready","failing":[\#(list)]}"#)
        }
    }

    private static func json(status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
