import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Idempotency-Key on both engines")
struct IdempotencyTests {
    static let effects = Migration(version: 1, name: "effects") { engine in
        ["CREATE TABLE effects (seq \(engine.autoIncrementPrimaryKey), body TEXT NOT NULL)"]
    }

    /// A router whose `POST /things` writes one row per real execution and answers with the row count.
    /// (`waitLimit` long enough that duplicates wait for the first answer even on a machine as busy as
    /// scripts/test makes it; the default 10 s is the product's.)
    static func router(_ database: Database, waitLimit: Duration = .seconds(10)) async throws
        -> Router<AppRequestContext>
    {
        try await database.migrate(
            service: IdempotencySchema.service, IdempotencySchema.migrations, logger: TestDatabase.logger)
        try await database.migrate(service: "effects", [effects], logger: TestDatabase.logger)
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestScopeMiddleware(logger: TestDatabase.logger))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BodyLimitMiddleware(maxBytes: BodyLimits.standard))
        router.add(
            middleware: IdempotencyMiddleware(
                database: database, authenticator: Authenticator(keys: KeyRing()), waitLimit: waitLimit))
        router.post("/things") { request, _ -> Response in
            var request = request
            let body = String(buffer: try await request.collectBody(upTo: 1024))
            try await Task.sleep(for: .milliseconds(30))
            let count = try await database.transaction { db in
                try await db.raw("INSERT INTO effects (body) VALUES (\(bind: body))").run()
                return try await db.raw("SELECT COUNT(*) AS n FROM effects").first()?.decode(column: "n", as: Int.self)
                    ?? 0
            }
            return Response(
                status: .created, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"count":\#(count)}"#))
            )
        }
        return router
    }

    static func effectCount(_ database: Database) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM effects").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    @Test(arguments: Engine.allCases)
    func aRetryWithTheSameKeyReturnsTheFirstResponse(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await Application(router: try await Self.router(database)).test(.router) { client in
                let headers: HTTPFields = [.idempotencyKey: "key-1"]
                let first = try await client.execute(
                    uri: "/things", method: .post, headers: headers, body: ByteBuffer(string: "a"))
                let second = try await client.execute(
                    uri: "/things", method: .post, headers: headers, body: ByteBuffer(string: "a"))
                #expect(first.status == .created)
                #expect(second.status == .created)
                #expect(String(buffer: second.body) == String(buffer: first.body))
                #expect(second.headers[.idempotentReplayed] == "true")
                #expect(try await Self.effectCount(database) == 1)

                let reused = try await client.execute(
                    uri: "/things", method: .post, headers: headers, body: ByteBuffer(string: "b"))
                #expect(reused.status == .conflict)
                #expect(String(buffer: reused.body).contains("idempotency.key_reused"))
                #expect(try await Self.effectCount(database) == 1)

                let other = try await client.execute(
                    uri: "/things", method: .post, headers: [.idempotencyKey: "key-2"], body: ByteBuffer(string: "a")
                )
                #expect(String(buffer: other.body) == #"{"count":2}"#)
                let bad = try await client.execute(
                    uri: "/things", method: .post, headers: [.idempotencyKey: String(repeating: "k", count: 300)],
                    body: ByteBuffer(string: "a")
                )
                #expect(bad.status == .badRequest)
                #expect(try await Self.effectCount(database) == 2)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func concurrentDuplicatesHaveOneEffect(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await Application(router: try await Self.router(database, waitLimit: .seconds(60))).test(.router) {
                client in
                let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<12 {
                        group.addTask {
                            let response = try await client.execute(
                                uri: "/things", method: .post, headers: [.idempotencyKey: "same"],
                                body: ByteBuffer(string: "x")
                            )
                            return "\(response.status.code) \(String(buffer: response.body))"
                        }
                    }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                #expect(Set(bodies) == [#"201 {"count":1}"#])
                #expect(try await Self.effectCount(database) == 1)
            }
        }
    }
}
