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

    @Test func aBatchIsPublishedInOrderWithAnAckForEachAndAStreamlessSubjectRefused() async throws {
        try await withClient { client in
            let js = JetStream(client: client)
            let stream = TestNATS.unique("BATCH")
            try await js.ensureStream(stream, subjects: ["\(stream).>"])
            _ = try await js.publish(Array("m3".utf8), to: "\(stream).x", messageID: "b-3")
            // 200 messages, one of them a repeat of the one above, and one on a subject no stream takes.
            let batch = (0..<200).map { n in
                n == 150
                    ? JetStream.Outgoing(payload: Array("lost".utf8), subject: "NOSTREAM-\(stream).x", messageID: "b-x")
                    : JetStream.Outgoing(payload: Array("m\(n)".utf8), subject: "\(stream).x", messageID: "b-\(n)")
            }
            let results = await js.publish(batch: batch)
            #expect(results.count == 200)
            let acks = results.enumerated().compactMap { index, result in index == 150 ? nil : try? result.get() }
            #expect(acks.count == 199)
            #expect(acks.filter { $0.duplicate == true }.map(\.seq) == [1])
            let stored = acks.filter { $0.duplicate != true }.map(\.seq)
            #expect(stored == Array(2...199).map(UInt64.init))
            guard case .failure(.noResponders) = results[150] else {
                Issue.record("the streamless subject was not refused: \(results[150])")
                return
            }
            try await js.ensurePullConsumer(stream: stream, durable: "reader", filter: "\(stream).x")
            var payloads: [String] = []
            while case let page = try await js.fetch(
                stream: stream, durable: "reader", batch: 100, expires: .milliseconds(300)), !page.isEmpty
            {
                payloads += page.map { String(decoding: $0.payload, as: UTF8.self) }
                for message in page { try await message.ack() }
            }
            #expect(payloads == ["m3"] + (0..<200).filter { $0 != 3 && $0 != 150 }.map { "m\($0)" })
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
