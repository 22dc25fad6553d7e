import Foundation
import Logging
import NATS
import Testing
import TestSupport

/// Runs `body` with a client connected to the shared test server, then stops the client.
func withClient<T: Sendable>(
    host: String? = nil, port: Int? = nil, _ body: @escaping @Sendable (NATSClient) async throws -> T
) async throws -> T {
    let server = try TestNATS.server()
    let client = NATSClient(host: host ?? server.host, port: port ?? server.port, logger: TestDatabase.logger)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await client.run()
            return nil
        }
        let result = try await body(client)
        group.cancelAll()
        return result
    }
}

@Suite("NATS core protocol against a real nats-server")
struct NATSClientTests {
    @Test func publishedMessagesWithHeadersReachSubscribers() async throws {
        try await withClient { client in
            let subject = TestNATS.unique("test.pubsub.")
            let (_, messages) = try await client.subscribe(to: subject)
            try await client.publish(Array("plain".utf8), to: subject)
            try await client.publish(
                Array("with headers".utf8), to: subject, headers: ["Nats-Msg-Id": "abc", "X-Trace": "t1"])
            var iterator = messages.makeAsyncIterator()
            let first = try #require(await iterator.next())
            let second = try #require(await iterator.next())
            #expect(String(decoding: first.payload, as: UTF8.self) == "plain")
            #expect(first.headers.isEmpty)
            #expect(String(decoding: second.payload, as: UTF8.self) == "with headers")
            #expect(second.headers["Nats-Msg-Id"] == "abc")
            #expect(second.headers["X-Trace"] == "t1")
        }
    }

    @Test func requestsGetRepliesAndNoRespondersFailFast() async throws {
        try await withClient { client in
            let subject = TestNATS.unique("test.echo.")
            let (_, requests) = try await client.subscribe(to: subject)
            try await client.flush()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await request in requests {
                        guard let reply = request.replyTo else { continue }
                        try await client.publish(Array("echo: ".utf8) + request.payload, to: reply)
                        return
                    }
                }
                let reply = try await client.request(Array("hello".utf8), to: subject, timeout: .seconds(3))
                #expect(String(decoding: reply.payload, as: UTF8.self) == "echo: hello")
                try await group.waitForAll()
            }
            await #expect(throws: NATSError.self) {
                _ = try await client.request(
                    Array("anyone?".utf8), to: TestNATS.unique("test.nobody."), timeout: .seconds(2))
            }
        }
    }

    @Test func largePayloadsSurviveFraming() async throws {
        try await withClient { client in
            let subject = TestNATS.unique("test.large.")
            let (_, messages) = try await client.subscribe(to: subject)
            let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
            try await client.publish(payload, to: subject, headers: ["K": "V"])
            var iterator = messages.makeAsyncIterator()
            let message = try #require(await iterator.next())
            #expect(message.payload == payload)
        }
    }

    @Test func theClientReconnectsAndResubscribesAfterTheServerRestarts() async throws {
        let server = try NATSServerProcess()
        try server.start()
        try await withClient(host: "127.0.0.1", port: server.port) { client in
            let subject = TestNATS.unique("test.reconnect.")
            let (_, messages) = try await client.subscribe(to: subject)
            var iterator = messages.makeAsyncIterator()
            try await client.publish(Array("before".utf8), to: subject)
            let before = await iterator.next()
            #expect(before.map { String(decoding: $0.payload, as: UTF8.self) } == "before")
            server.stop()
            try await Task.sleep(for: .milliseconds(300))
            try server.start()
            // Operations wait for the reconnect (or fail while the old connection is being torn down).
            var reconnected = false
            for _ in 0..<100 where !reconnected {
                do {
                    try await client.flush()
                    reconnected = true
                } catch {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(reconnected)
            // The subscription was restored on the new connection before it was handed out.
            try await client.publish(Array("after".utf8), to: subject)
            let after = await iterator.next()
            #expect(after.map { String(decoding: $0.payload, as: UTF8.self) } == "after")
        }
        server.stop()
    }
}
