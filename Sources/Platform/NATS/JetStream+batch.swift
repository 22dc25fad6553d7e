import Foundation
import NIOCore
import Synchronization

extension JetStream {
    /// One message of a batch publish: its payload, subject and `Nats-Msg-Id`.
    public struct Outgoing: Sendable {
        public let payload: [UInt8]
        public let subject: String
        public let messageID: String

        public init(payload: [UInt8], subject: String, messageID: String) {
            self.payload = payload
            self.subject = subject
            self.messageID = messageID
        }
    }

    /// Publishes `batch` in order without waiting for each ack in turn: every message is written, each
    /// with its own reply subject under one inbox, and then the acks are collected. The stream stores
    /// them in the order written (one connection); a de-duplicated repeat is acknowledged as usual.
    /// Returns one result per message, in order: its ack, or why it was not accepted within `timeout`.
    /// Once a write fails (the connection is gone) the rest are not written and fail with it; when the
    /// connection drops while acks are awaited, the unanswered ones fail at once (`notConnected`).
    public func publish(batch: [Outgoing], timeout: Duration = .seconds(5)) async -> [Result<PubAck, NATSError>] {
        guard !batch.isEmpty else { return [] }
        let inbox = client.newInbox()
        let connection = client.connectionCount
        let subscription: (sid: Int, messages: AsyncStream<NATSMessage>)
        do {
            subscription = try await client.subscribe(to: "\(inbox).*")
        } catch {
            return batch.map { _ in .failure(Self.natsError(error)) }
        }
        var results = [Result<PubAck, NATSError>?](repeating: nil, count: batch.count)
        var written = 0
        for (index, message) in batch.enumerated() {
            do {
                try await client.publish(
                    message.payload, to: message.subject, replyTo: "\(inbox).\(index)",
                    headers: ["Nats-Msg-Id": message.messageID])
                written += 1
            } catch {
                for rest in index..<batch.count { results[rest] = .failure(Self.natsError(error)) }
                break
            }
        }
        let client = self.client
        let sid = subscription.sid
        let count = written
        let waiting = AckWait()
        _ = try? await withTimeout(
            timeout, "acks of \(count) published messages", onTimeout: { Task { await client.unsubscribe(sid) } }
        ) {
            guard count > 0 else { return }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await reply in subscription.messages {
                        guard let index = reply.subject.split(separator: ".").last.flatMap({ Int($0) }),
                            index < count
                        else { continue }
                        let all = waiting.acks.withLock { acks in
                            if acks[index] == nil { acks[index] = Self.pubAck(reply) }
                            return acks.count == count
                        }
                        if all { return }
                    }
                }
                group.addTask {
                    // The acks of a connection that dropped never come: stop waiting for them at once.
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(200))
                        if client.connectionCount != connection || !client.isConnected {
                            waiting.lost.store(true, ordering: .relaxed)
                            await client.unsubscribe(sid)
                            return
                        }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        }
        await client.unsubscribe(sid)
        let received = waiting.acks.withLock { $0 }
        let unanswered: NATSError = waiting.lost.load(ordering: .relaxed) ? .notConnected : .timeout("ack of a publish")
        return results.enumerated().map { index, result in result ?? received[index] ?? .failure(unanswered) }
    }

    /// A publish's reply: the ack, or the stream's refusal.
    static func pubAck(_ reply: NATSMessage) -> Result<PubAck, NATSError> {
        if reply.status == 503 { return .failure(.noResponders(reply.subject)) }
        if let error = try? JSONDecoder().decode(APIResponse.self, from: Data(reply.payload)).error {
            return .failure(.jetStream(code: error.code, description: error.description ?? "publish failed"))
        }
        guard let ack = try? JSONDecoder().decode(PubAck.self, from: Data(reply.payload)) else {
            return .failure(.protocolViolation("unreadable publish ack"))
        }
        return .success(ack)
    }

    /// A write on a connection that closed meanwhile is a lost connection, not a server's error.
    private static func natsError(_ error: any Error) -> NATSError {
        if let error = error as? NATSError { return error }
        if let channel = error as? ChannelError, channel == .ioOnClosedChannel || channel == .alreadyClosed {
            return .notConnected
        }
        return .server(String(describing: error))
    }
}

/// The acks of a batch publish as they come, and whether the connection dropped meanwhile.
private final class AckWait: Sendable {
    let acks = Mutex<[Int: Result<JetStream.PubAck, NATSError>]>([:])
    let lost = Atomic<Bool>(false)
}
