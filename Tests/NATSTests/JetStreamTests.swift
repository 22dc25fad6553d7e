import Foundation
import Logging
import NATS
import Testing
import TestSupport

@Suite("JetStream against a real nats-server")
struct JetStreamTests {
    @Test func publishingIsDeduplicatedByMessageID() async throws {
        try await withClient { client in
            let js = JetStream(client: client)
            let stream = TestNATS.unique("DEDUP")
            try await js.ensureStream(stream, subjects: ["\(stream).>"])
            try await js.ensureStream(stream, subjects: ["\(stream).>"])  // idempotent
            let first = try await js.publish(Array("one".utf8), to: "\(stream).a", messageID: "m-1")
            let again = try await js.publish(Array("one".utf8), to: "\(stream).a", messageID: "m-1")
            let second = try await js.publish(Array("two".utf8), to: "\(stream).a", messageID: "m-2")
            #expect(first.duplicate != true)
            #expect(again.duplicate == true)
            #expect(again.seq == first.seq)
            #expect(second.seq == first.seq + 1)
        }
    }

    @Test func pullConsumersDeliverAckedMessagesOnceAndNakedOnesAgain() async throws {
        try await withClient { client in
            let js = JetStream(client: client)
            let stream = TestNATS.unique("PULL")
            try await js.ensureStream(stream, subjects: ["\(stream).>"])
            for n in 1...3 { _ = try await js.publish(Array("m\(n)".utf8), to: "\(stream).x", messageID: "id-\(n)") }
            _ = try await js.publish(Array("other".utf8), to: "\(stream).y", messageID: "id-y")
            try await js.ensurePullConsumer(
                stream: stream, durable: "worker", filter: "\(stream).x", ackWait: .seconds(30))
            try await js.ensurePullConsumer(stream: stream, durable: "worker", filter: "\(stream).x")  // idempotent
            let batch = try await js.fetch(stream: stream, durable: "worker", batch: 10, expires: .milliseconds(500))
            #expect(batch.map { String(decoding: $0.payload, as: UTF8.self) } == ["m1", "m2", "m3"])
            #expect(batch.allSatisfy { $0.deliveryCount == 1 })
            try await batch[0].ack()
            try await batch[1].term()
            try await batch[2].nak()
            try await client.flush()
            let redelivered = try await js.fetch(
                stream: stream, durable: "worker", batch: 10, expires: .milliseconds(500))
            #expect(redelivered.map { String(decoding: $0.payload, as: UTF8.self) } == ["m3"])
            #expect(redelivered.first?.deliveryCount == 2)
            try await redelivered.first?.ack()
            try await client.flush()
            #expect(
                try await js.fetch(stream: stream, durable: "worker", batch: 10, expires: .milliseconds(300)).isEmpty)
        }
    }
}
