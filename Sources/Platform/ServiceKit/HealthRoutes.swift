import Hummingbird
import Storage

/// `/health/live` (the process answers) and `/health/ready` (every database is reachable and migrated).
public enum HealthRoutes {
    public static func add<Context: RequestContext>(to router: Router<Context>, databases: [String: Database]) {
        router.get("/health/live") { _, _ in
            Self.json(status: .ok, #"{"status":"live"}"#)
        }
        router.get("/health/ready") { _, _ in
            var failing: [String] = []
            for (name, database) in databases.sorted(by: { $0.key < $1.key }) where await !database.isReady() {
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
