import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOPosix
import Synchronization
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import ServiceKit

/// The distributed gateway: forwards `/api/v1/...` to the service that owns the path, spreading requests
/// over the service's replicas in turn.
///
/// Bodies are forwarded as received (requests are already buffered by ``BodyLimitMiddleware``;
/// responses stream back). The request id, trace context and client address are passed on.
///
/// A request goes to the next replica (up to three tries, or one per replica and one more) when the
/// upstream could not be reached, since it never saw the request; and when the upstream closed the
/// connection before answering, but then only if the request is safe to repeat: a read (GET, HEAD,
/// OPTIONS) or a write with an `Idempotency-Key`, which the service answers once whatever the number of
/// tries. A write without a key that may have been applied is never sent again: its client gets a 502.
/// An unreachable upstream is a 502 problem, a slow one a 504 (never retried: it may still be working).
public struct GatewayProxy: Sendable {
    private let routes: GatewayRoutes
    private let client: HTTPClient
    private let timeout: TimeAmount
    private let turn = Turn()

    /// Round-robin position shared by the routes' handlers.
    private final class Turn: Sendable {
        private let next = Atomic<Int>(0)
        func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue & Int.max }
    }

    public init(routes: GatewayRoutes, client: HTTPClient, timeout: TimeAmount = .seconds(30)) {
        self.routes = routes
        self.client = client
        self.timeout = timeout
    }

    private static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding",
        "upgrade", "host", "content-length",
    ]

    /// Mounts the catch-all proxy route on `router`.
    public func register(on router: Router<AppRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head, .options] {
            router.on("/api/v1/**", method: method) { request, context in
                try await forward(request, context: context)
            }
        }
    }

    func forward(_ request: Request, context: AppRequestContext) async throws -> Response {
        let path = request.uri.path
        guard let (service, baseURLs) = routes.upstream(for: path) else {
            throw Problem.notFound("route.not_found", "No service serves \(path).")
        }
        let first = turn.take()
        let target = request.uri.string.hasPrefix("/") ? request.uri.string : path
        var outbound = HTTPClientRequest(url: baseURLs[first % baseURLs.count] + target)
        outbound.method = NIOHTTP1.HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName) {
            outbound.headers.add(name: field.name.rawName, value: field.value)
        }
        if let scope = RequestScope.current {
            outbound.headers.replaceOrAdd(name: "X-Request-Id", value: scope.requestID)
            if let traceparent = scope.traceparent {
                outbound.headers.replaceOrAdd(name: "traceparent", value: traceparent)
            }
            if let address = scope.clientAddress {
                outbound.headers.replaceOrAdd(name: "X-Forwarded-For", value: address)
            }
        }
        var request = request
        let body = try await request.collectBody(upTo: BodyLimits.upload)
        if body.readableBytes > 0 { outbound.body = .bytes(body) }

        let repeatable = Self.isSafeToRepeat(request)
        let attempts = min(3, baseURLs.count + 1)
        var lastError: (any Error)?
        for attempt in 1...attempts {
            outbound.url = baseURLs[(first + attempt - 1) % baseURLs.count] + target
            do {
                let response = try await client.execute(outbound, timeout: timeout)
                var headers = HTTPFields()
                for (name, value) in response.headers where !Self.hopByHop.contains(name.lowercased()) {
                    if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
                }
                let length = response.headers.first(name: "content-length").flatMap(Int.init)
                return Response(
                    status: HTTPResponse.Status(code: Int(response.status.code)), headers: headers,
                    body: ResponseBody(contentLength: length) { writer in
                        for try await chunk in response.body { try await writer.write(chunk) }
                        try await writer.finish(nil)
                    }
                )
            } catch {
                lastError = error
                let failure = UpstreamFailure(error)
                guard attempt < attempts, failure == .notReached || (failure == .closedUnanswered && repeatable)
                else { break }
                try? await Task.sleep(for: .milliseconds(50 * attempt))
            }
        }
        context.logger.warning(
            "upstream failed",
            metadata: [
                "upstream": "\(service)", "error": "\(String(describing: lastError))",
                "errorType": "\(lastError.map { "\(type(of: $0))" } ?? "-")", "repeatable": "\(repeatable)",
            ])
        throw Self.problem(for: lastError, service: service)
    }

    /// Whether `request` only reads (GET, HEAD, OPTIONS).
    public static func isRead(_ request: Request) -> Bool {
        [.get, .head, .options].contains(request.method)
    }

    /// Whether sending `request` twice has the effect of sending it once.
    static func isSafeToRepeat(_ request: Request) -> Bool {
        isRead(request) || (request.headers[.idempotencyKey].map { !$0.isEmpty } ?? false)
    }

    private static func problem(for error: (any Error)?, service: String) -> Problem {
        if let client = error as? HTTPClientError, client == .deadlineExceeded || client == .readTimeout {
            return Problem(
                status: .gatewayTimeout, code: "gateway.upstream_timeout",
                detail: "The \(service) service did not answer in time."
            )
        }
        return Problem(
            status: .badGateway, code: "gateway.upstream_unavailable",
            detail: "The \(service) service cannot be reached; try again shortly.", retryAfter: 1
        )
    }
}

/// How a try at an upstream failed, as far as repeating it goes.
enum UpstreamFailure: Equatable {
    /// No connection was made: the upstream never saw the request (refused, or nothing answered).
    case notReached
    /// The connection closed before an answer: the upstream may have applied the request.
    case closedUnanswered
    /// Anything else, a timeout among them (the upstream may still be working on it).
    case other

    init(_ error: any Error) {
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: self = .notReached
            case .remoteConnectionClosed, .cancelled: self = .closedUnanswered
            default: self = .other
            }
        } else if error is NIOConnectionError {
            self = .notReached
        } else if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: self = .notReached
            case ECONNRESET, EPIPE: self = .closedUnanswered
            default: self = .other
            }
        } else if case ChannelError.connectTimeout = error {
            self = .notReached
        } else if let channel = error as? ChannelError,
            [.ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed].contains(channel)
        {
            // A pooled keep-alive connection the upstream closed while draining: the request may have
            // been partly written before the close was seen, so only a safe request goes again.
            self = .closedUnanswered
        } else {
            self = String(describing: error).contains("onnection refused") ? .notReached : .other
        }
    }
}
