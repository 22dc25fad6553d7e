import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Problem, request id and body limit middleware")
struct MiddlewareTests {
    static func router() -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestScopeMiddleware(logger: TestDatabase.logger))
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: BodyLimitMiddleware(maxBytes: 64))
        router.post("/echo") { request, _ in
            var request = request
            return String(buffer: try await request.collectBody(upTo: 1024))
        }
        router.get("/conflict") { _, _ -> String in throw Problem.conflict("thing.busy", "Busy.", allowed: ["a"]) }
        router.get("/crash") { _, _ -> String in throw CancellationError() }
        return router
    }

    private func problem(_ response: TestResponse) throws -> [String: Any] {
        #expect(response.headers[.contentType] == "application/problem+json")
        return try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test func unknownRoutesAreProblems() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                let body = try problem(response)
                #expect(body["code"] as? String == "route.not_found")
                #expect(body["status"] as? Int == 404)
                #expect(body["requestId"] as? String == response.headers[.requestID])
            }
        }
    }

    @Test func domainProblemsKeepTheirStatusAndMembers() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            try await client.execute(uri: "/conflict", method: .get, headers: [.requestID: "req-123"]) { response in
                #expect(response.status == .conflict)
                #expect(response.headers[.requestID] == "req-123")
                let body = try problem(response)
                #expect(body["code"] as? String == "thing.busy")
                #expect(body["allowed"] as? [String] == ["a"])
            }
        }
    }

    @Test func unexpectedErrorsAre500WithoutDetails() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            try await client.execute(uri: "/crash", method: .get) { response in
                #expect(response.status == .internalServerError)
                let body = try problem(response)
                #expect(body["code"] as? String == "internal")
                #expect((body["detail"] as? String)?.contains("Cancellation") == false)
            }
        }
    }

    @Test func oversizedBodiesAre413() async throws {
        try await Application(router: Self.router()).test(.router) { client in
            try await client.execute(uri: "/echo", method: .post, body: ByteBuffer(string: "small")) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == "small")
            }
            let big = ByteBuffer(string: String(repeating: "x", count: 100))
            try await client.execute(uri: "/echo", method: .post, body: big) { response in
                #expect(response.status == .contentTooLarge)
                let body = try problem(response)
                #expect(body["code"] as? String == "request.too_large")
            }
        }
    }

    @Test func theClientAddressComesFromForwardedForOnlyBehindATrustedProxy() {
        typealias Scope = RequestScopeMiddleware<AppRequestContext>
        let trusted: Set<String> = ["127.0.0.1", "10.0.0.5"]
        // Straight from a client: its own X-Forwarded-For is ignored.
        #expect(Scope.clientAddress(peer: "203.0.113.9", forwardedFor: "1.2.3.4", trusted: trusted) == "203.0.113.9")
        // Through the gateway: the address the gateway saw.
        #expect(Scope.clientAddress(peer: "10.0.0.5", forwardedFor: "198.51.100.7", trusted: trusted) == "198.51.100.7")
        // Through a load balancer and the gateway: the nearest address that is not a trusted proxy.
        #expect(
            Scope.clientAddress(peer: "127.0.0.1", forwardedFor: "1.2.3.4, 198.51.100.7, 10.0.0.5", trusted: trusted)
                == "198.51.100.7")
        #expect(Scope.clientAddress(peer: "127.0.0.1", forwardedFor: nil, trusted: trusted) == "127.0.0.1")
        // A network: any gateway pod of the cluster.
        #expect(
            Scope.clientAddress(peer: "10.42.7.19", forwardedFor: "198.51.100.7", trusted: ["10.42.0.0/16"])
                == "198.51.100.7")
        #expect(
            Scope.clientAddress(peer: "10.43.7.19", forwardedFor: "198.51.100.7", trusted: ["10.42.0.0/16"])
                == "10.43.7.19")
        #expect(Scope.clientAddress(peer: nil, forwardedFor: "1.2.3.4", trusted: trusted) == nil)
    }
}
