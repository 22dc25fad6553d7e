import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Storage

/// Gives each request an id (`X-Request-Id`, taken from the client when it sends a sane one),
/// sets the ``RequestScope`` for the handlers and writes one access-log line per request.
public struct RequestScopeMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        let requestID = Self.requestID(from: request.headers[.requestID])
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(requestID)"
        let scope = RequestScope(
            requestID: requestID,
            authorization: request.headers[.authorization],
            clientAddress: context.remoteAddress?.ipAddress,
            traceparent: request.headers[.traceparent],
            logger: logger
        )
        var response = try await RequestScope.$current.withValue(scope) {
            try await next(request, context)
        }
        response.headers[HTTPField.Name.requestID] = requestID
        let elapsed = ContinuousClock.now - started
        logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
                "status": "\(response.status.code)",
                "duration_ms":
                    "\(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000 + Double(elapsed.components.seconds) * 1000)",
            ]
        )
        return response
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
    public static let idempotencyKey = Self("Idempotency-Key")!
    public static let idempotentReplayed = Self("Idempotent-Replayed")!
}
