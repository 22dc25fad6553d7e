import Foundation
import Logging
import Synchronization

/// JetStream on top of ``NATSClient``: streams, de-duplicated publishing with acknowledgements,
/// durable pull consumers, fetching batches, and ack/nak/term.
///
/// Uses the JetStream API subjects that nats-server 2.9 offers (`$JS.API.…`); a consumer has one
/// filter subject there, so a service that consumes several event types gets a consumer per type.
public struct JetStream: Sendable {
    public let client: NATSClient

    public init(client: NATSClient) {
        self.client = client
    }

    /// The server's acknowledgement of a publish.
    public struct PubAck: Decodable, Sendable {
        public let stream: String
        public let seq: UInt64
        public let duplicate: Bool?
    }

    struct APIError: Decodable {
        let code: Int
        let err_code: Int?
        let description: String?
    }

    struct APIResponse: Decodable {
        let error: APIError?
    }

    /// Creates the stream `name` over `subjects`, or leaves it as it is when it exists.
    ///
    /// Messages older than `maxAge` are dropped (the stream does not grow without end); `replicas` is 1
    /// on a single server, 3 on a cluster (then an acknowledged event survives a node's crash).
    public func ensureStream(
        _ name: String, subjects: [String], duplicateWindow: Duration = .seconds(120),
        maxAge: Duration = .seconds(7 * 24 * 3600), replicas: Int = 1
    ) async throws {
        let config: [String: Any] = [
            "name": name, "subjects": subjects, "storage": "file", "retention": "limits", "discard": "old",
            "duplicate_window": nanoseconds(duplicateWindow), "num_replicas": replicas,
            "max_age": nanoseconds(maxAge),
        ]
        let reply = try await api("$JS.API.STREAM.CREATE.\(name)", config)
        if let error = reply.error, error.err_code != 10058 {  // 10058: stream name already in use
            throw NATSError.jetStream(code: error.code, description: error.description ?? "stream create failed")
        }
    }

    /// Publishes `payload` to `subject` with `Nats-Msg-Id: messageID` and waits for the stream's ack.
    /// A repeat of the same id within the duplicate window is acknowledged with `duplicate: true`.
    public func publish(_ payload: [UInt8], to subject: String, messageID: String, timeout: Duration = .seconds(5))
        async throws -> PubAck
    {
        let reply = try await client.request(
            payload, to: subject, headers: ["Nats-Msg-Id": messageID], timeout: timeout)
        return try Self.pubAck(reply).get()
    }

    /// Creates the durable pull consumer `durable` on `stream` for `filter`, or keeps the existing one.
    /// `maxDeliver` -1 means redeliver until acknowledged (the consumer's inbox and dead letters decide
    /// when to give up, never the broker).
    public func ensurePullConsumer(
        stream: String, durable: String, filter: String, ackWait: Duration = .seconds(30), maxDeliver: Int = -1
    ) async throws {
        let request: [String: Any] = [
            "stream_name": stream,
            "config": [
                "durable_name": durable, "ack_policy": "explicit", "deliver_policy": "all", "filter_subject": filter,
                "ack_wait": nanoseconds(ackWait), "max_deliver": maxDeliver, "max_ack_pending": 1000,
                "replay_policy": "instant",
            ] as [String: Any],
        ]
        let reply = try await api("$JS.API.CONSUMER.DURABLE.CREATE.\(stream).\(durable)", request)
        if let error = reply.error, error.err_code != 10148, error.err_code != 10013 {  // already exists
            throw NATSError.jetStream(code: error.code, description: error.description ?? "consumer create failed")
        }
    }

    /// Fetches up to `batch` messages for `durable`, waiting at most `expires` for them.
    public func fetch(stream: String, durable: String, batch: Int, expires: Duration = .seconds(1)) async throws
        -> [JetStreamMessage]
    {
        let collected = Mutex<[JetStreamMessage]>([])
        try await pull(stream: stream, durable: durable, batch: batch, expires: expires) { message in
            collected.withLock { $0.append(message) }
        }
        return collected.withLock { $0 }
    }

    /// One pull request for up to `batch` messages, open for at most `expires`: `handle` runs for each
    /// message as soon as it arrives (not when the request ends), in order. The request is given up
    /// (checked every second) when `stop` says so; what arrived is still handled.
    public func pull(
        stream: String, durable: String, batch: Int, expires: Duration = .seconds(1),
        stop: @escaping @Sendable () -> Bool = { false },
        _ handle: @escaping @Sendable (JetStreamMessage) async -> Void
    ) async throws {
        let inbox = client.newInbox()
        let (sid, messages) = try await client.subscribe(to: inbox)
        let client = self.client
        do {
            let request = #"{"batch":\#(batch),"expires":\#(nanoseconds(expires))}"#
            let connection = client.connectionCount
            try await client.publish(
                Array(request.utf8), to: "$JS.API.CONSUMER.MSG.NEXT.\(stream).\(durable)", replyTo: inbox)
            try await withTimeout(
                expires + .seconds(2), "pull from \(durable)", onTimeout: { Task { await client.unsubscribe(sid) } }
            ) {
                try await Self.receive(messages, batch: batch, durable: durable, client: client, handle) {
                    // The server forgets a pull when the connection drops: stop waiting for this one then.
                    client.connectionCount != connection || !client.isConnected || stop()
                } abandon: {
                    await client.unsubscribe(sid)
                }
            }
        } catch {
            await client.unsubscribe(sid)
            throw error
        }
        await client.unsubscribe(sid)
    }

    /// Hands the pull's messages to `handle` until the batch is full or the request ends, checking every
    /// second whether the pull `isLost` (then it is abandoned, ending the messages).
    private static func receive(
        _ messages: AsyncStream<NATSMessage>, batch: Int, durable: String, client: NATSClient,
        _ handle: @escaping @Sendable (JetStreamMessage) async -> Void, isLost: @escaping @Sendable () -> Bool,
        abandon: @escaping @Sendable () async -> Void
    ) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    if !Task.isCancelled, isLost() {
                        await abandon()
                        break
                    }
                }
                return true
            }
            group.addTask {
                var received = 0
                for await message in messages {
                    if let status = message.status {
                        switch status {
                        case 100: continue  // heartbeat
                        case 404, 408: return true  // no messages, request expired: a normal end
                        default:
                            // 503 no responders (no such consumer or stream), 409 consumer deleted or
                            // too many waiting pulls: the caller must recreate and back off.
                            let description = message.statusDescription ?? ""
                            throw NATSError.jetStream(code: status, description: "pull from \(durable): \(description)")
                        }
                    }
                    await handle(JetStreamMessage(message: message, client: client))
                    received += 1
                    if received >= batch { break }
                }
                return true
            }
            let result = try await group.next() ?? true
            group.cancelAll()
            return result
        }
    }

    private func api(_ subject: String, _ body: [String: Any]) async throws -> APIResponse {
        let data = try JSONSerialization.data(withJSONObject: body)
        let reply = try await client.request(Array(data), to: subject)
        do {
            return try JSONDecoder().decode(APIResponse.self, from: Data(reply.payload))
        } catch {
            throw NATSError.protocolViolation("unreadable JetStream reply on \(subject)")
        }
    }

    private func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}

/// A message fetched from a pull consumer, to be acknowledged once handled.
public struct JetStreamMessage: Sendable {
    public let message: NATSMessage
    let client: NATSClient

    public var payload: [UInt8] { message.payload }

    /// How many times the server has delivered this message (from the ack subject).
    public var deliveryCount: Int {
        // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>
        let parts = (message.replyTo ?? "").split(separator: ".")
        return parts.count >= 9 ? Int(parts[parts.count - 5]) ?? 1 : 1
    }

    /// Handled: never deliver again.
    public func ack() async throws { try await reply("+ACK") }

    /// Not handled: deliver again (after `delay`, when given).
    public func nak(delay: Duration? = nil) async throws {
        if let delay {
            let nanos = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
            try await reply(#"-NAK {"delay":\#(nanos)}"#)
        } else {
            try await reply("-NAK")
        }
    }

    /// Unprocessable: never deliver again, without success.
    public func term() async throws { try await reply("+TERM") }

    private func reply(_ text: String) async throws {
        guard let replyTo = message.replyTo else { return }
        try await client.publish(Array(text.utf8), to: replyTo)
    }
}
