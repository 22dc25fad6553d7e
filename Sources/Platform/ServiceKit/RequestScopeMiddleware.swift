import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Messaging
import Storage

/// Gives each request an id (`X-Request-Id`, taken from the client when it sends a sane one),
/// sets the ``RequestScope`` for the handlers and writes one access-log line per request.
///
/// The client address is the TCP peer, unless the peer is a trusted proxy (by default loopback: the
/// gateway or a TLS proxy on the same host; `--trusted-proxy` adds more): then it is the nearest
/// address in `X-Forwarded-For` that is not itself a trusted proxy.
public struct RequestScopeMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    private let logger: Logger
    private let trustedProxies: Set<String>

    /// The proxies trusted by default: this host.
    public static var loopback: Set<String> { ["127.0.0.1", "::1"] }

    public init(logger: Logger, trustedProxies: Set<String> = loopback) {
        self.logger = logger
        self.trustedProxies = trustedProxies
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let requestID = Self.requestID(from: request.headers[.requestID])
        // This request's span: a child of the caller's when it sent a valid traceparent, else a new trace.
        let span = TraceContext(traceparent: request.headers[.traceparent])?.child() ?? .root()
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        logger[metadataKey: "trace_id"] = "\(span.traceID)"
        logger[metadataKey: "span_id"] = "\(span.spanID)"
        let scope = RequestScope(
            requestID: requestID,
            authorization: request.headers[.authorization],
            clientAddress: Self.clientAddress(
                peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[.forwardedFor],
                trusted: trustedProxies),
            traceparent: span.traceparent,
            logger: logger
        )
        var response = try await TraceContext.$current.withValue(span) {
            try await RequestScope.$current.withValue(scope) {
                try await next(request, context)
            }
        }
        response.headers[HTTPField.Name.requestID] = requestID
        response.headers[.traceresponse] = span.traceparent
        let elapsed = ContinuousClock.now - started
        let milliseconds =
            Double(elapsed.components.seconds) * 1_000
            + Double(elapsed.components.attoseconds) / 1_000_000_000_000_000
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)",
                "duration_ms": "\(milliseconds)",
            ]
        )
        return response
    }

    /// The address a request came from, reading `X-Forwarded-For` only when `peer` is trusted.
    /// `trusted` holds addresses and IPv4 networks (`10.0.0.0/8`, e.g. a cluster's pod network).
    public static func clientAddress(peer: String?, forwardedFor: String?, trusted: Set<String>) -> String? {
        guard let peer, isTrusted(peer, trusted), let forwardedFor, forwardedFor.utf8.count <= 1024 else {
            return peer
        }
        let hops = forwardedFor.split(separator: ",").map(\.trimmed)
        for hop in hops.reversed() where !hop.isEmpty && !isTrusted(hop, trusted) {
            return hop.count <= 64 ? hop : peer
        }
        return peer
    }

    private static func isTrusted(_ address: String, _ trusted: Set<String>) -> Bool {
        if trusted.contains(address) { return true }
        guard let value = ipv4(address) else { return false }
        for entry in trusted {
            let parts = entry.split(separator: "/")
            guard parts.count == 2, let network = ipv4(String(parts[0])), let bits = UInt32(parts[1]), bits <= 32
            else { continue }
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
            if value & mask == network & mask { return true }
        }
        return false
    }

    private static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt8($0) }
        guard octets.count == 4, text.split(separator: ".", omittingEmptySubsequences: false).count == 4 else {
            return nil
        }
        return octets.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func requestID(from header: String?) -> String {
        if let header, (1...128).contains(header.count),
            header.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        {
            return header
        }
        return UUIDv7.make()
    }
}

// swift-format-ignore: NeverForceUnwrap
// Constant, valid header names: the failable initializer cannot fail for them.
extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
    public static let traceparent = Self("traceparent")!
    /// The server's span, answered (W3C Trace Context level 2), so a client can find its trace.
    public static let traceresponse = Self("traceresponse")!
    public static let idempotencyKey = Self("Idempotency-Key")!
    public static let idempotentReplayed = Self("Idempotent-Replayed")!
    public static let forwardedFor = Self("X-Forwarded-For")!
}
