import Hummingbird
import Messaging
import Storage

/// `/version` (``Release``), `/health/live` (the process answers) and `/health/ready` (every database is reachable and migrated,
/// every other dependency in `checks`, such as the NATS connection, is up, and no background loop of
/// `loops` has stalled, and the process is not draining: told to stop, it answers 503 while it finishes
/// what it has).
public enum HealthRoutes {
    public static func add<Context: RequestContext>(
        to router: Router<Context>, databases: [String: Database],
        checks: [String: @Sendable () async -> Bool] = [:], loops: LoopMonitor? = nil, drain: Drain? = nil
    ) {
        router.get("/version") { _, _ in
            Self.json(status: .ok, Release.json)
        }
        router.get("/health/live") { _, _ in
            Self.json(status: .ok, #"{"status":"live"}"#)
        }
        router.get("/health/ready") { _, _ in
            if drain?.isDraining == true { return Self.json(status: .serviceUnavailable, #"{"status":"draining"}"#) }
            var failing: [String] = []
            for (name, database) in databases.sorted(by: { $0.key < $1.key }) where await !database.isReady() {
                failing.append(name)
            }
            for (name, check) in checks.sorted(by: { $0.key < $1.key }) where await !check() {
                failing.append(name)
            }
            let stalls = loops?.stalls() ?? []
            if failing.isEmpty, stalls.isEmpty { return Self.json(status: .ok, #"{"status":"ready"}"#) }
            let list = failing.map { "\"\($0)\"" }.joined(separator: ",")
            let stalled = stalls.map { stall in
                #"{"loop":"\#(stall.loop)","oldestWaitingSeconds":\#(stall.oldestWaiting.components.seconds),"#
                    + #""noProgressSeconds":\#(stall.noProgressFor.components.seconds)}"#
            }.joined(separator: ",")
            return Self.json(
                status: .serviceUnavailable, #"{"status":"not_ready","failing":[\#(list)],"stalled":[\#(stalled)]}"#)
        }
    }

    private static func json(status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
