import NIOCore

/// A message received from NATS (a `MSG` or `HMSG` frame).
public struct NATSMessage: Sendable {
    public var subject: String
    public var replyTo: String?
    /// Header fields (the first value of each name); empty for plain `MSG`.
    public var headers: [String: String]
    /// The status of a JetStream control message, e.g. 404 "No Messages" or 408 "Request Timeout".
    public var status: Int?
    public var statusDescription: String?
    public var payload: [UInt8]

    public init(
        subject: String, replyTo: String?, headers: [String: String] = [:], status: Int? = nil,
        statusDescription: String? = nil, payload: [UInt8]
    ) {
        self.subject = subject
        self.replyTo = replyTo
        self.headers = headers
        self.status = status
        self.statusDescription = statusDescription
        self.payload = payload
    }
}

/// One protocol frame from the server.
enum NATSFrame: Sendable {
    case info(String)
    case message(sid: Int, NATSMessage)
    case ping
    case pong
    case ok
    case error(String)
}

/// Failures of the NATS client.
public enum NATSError: Error, CustomStringConvertible, Equatable {
    case notConnected
    case timeout(String)
    case server(String)
    case protocolViolation(String)
    case noResponders(String)
    case jetStream(code: Int, description: String)

    public var description: String {
        switch self {
        case .notConnected: "not connected to NATS"
        case .timeout(let what): "timed out: \(what)"
        case .server(let message): "NATS server error: \(message)"
        case .protocolViolation(let detail): "NATS protocol violation: \(detail)"
        case .noResponders(let subject): "no responders on \(subject)"
        case .jetStream(let code, let description): "JetStream error \(code): \(description)"
        }
    }
}
