import Hummingbird
import NIOCore

/// Reads the whole request body, up to the limit of the route it is for, before the handlers run; a
/// larger body is a 413 problem, whether its length was announced or it came in chunks.
///
/// The limit comes from the operation the contracts match (``BodyLimits``); other routes name theirs
/// (`/graphql`), and a path nobody declares gets ``BodyLimits/unrouted``. A body that may be larger
/// than ``BodyLimits/standard`` (an upload) is read only once the caller is known: the token is
/// verified first (401 otherwise), and ``UploadSlots`` bounds how many uploads are read at once.
/// Buffering lets later middleware (validation, idempotency) read the body again.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    private enum Limit: Sendable {
        case fixed(Int)
        case routed(contracts: [OpenAPIContract], otherRoutes: [String: Int])
    }

    private let limit: Limit
    private let authenticator: Authenticator?
    private let uploads: UploadSlots?

    /// The same limit for every path (tests).
    public init(maxBytes: Int) {
        self.limit = .fixed(maxBytes)
        self.authenticator = nil
        self.uploads = nil
    }

    /// Limits by route: `contracts`' operations, `otherRoutes` by exact path. Without an
    /// `authenticator` (a gateway that verifies no tokens) an upload needs an `Authorization` header,
    /// which the service behind then verifies.
    public init(
        contracts: [OpenAPIContract], otherRoutes: [String: Int] = [:], authenticator: Authenticator?,
        uploads: UploadSlots
    ) {
        self.limit = .routed(contracts: contracts, otherRoutes: otherRoutes)
        self.authenticator = authenticator
        self.uploads = uploads
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let maxBytes = self.maxBytes(for: request)
        let announced = request.headers[.contentLength].flatMap(Int.init)
        if let announced, announced > maxBytes { throw Self.tooLarge(maxBytes) }
        guard maxBytes > BodyLimits.standard, announced.map({ $0 > BodyLimits.standard }) ?? true,
            let uploads
        else {
            return try await next(Self.buffered(request, upTo: maxBytes), context)
        }
        let account = try await caller()
        return try await uploads.run(account: account) {
            try await next(Self.buffered(request, upTo: maxBytes), context)
        }
    }

    /// The largest body `request` may carry.
    func maxBytes(for request: Request) -> Int {
        switch limit {
        case .fixed(let bytes): return bytes
        case .routed(let contracts, let otherRoutes):
            if let bytes = otherRoutes[request.uri.path] { return bytes }
            for contract in contracts {
                if let (route, _) = contract.match(request.uri.path) {
                    return route.operations[request.method]?.maxBodyBytes ?? BodyLimits.unrouted
                }
            }
            return BodyLimits.unrouted
        }
    }

    /// Who is uploading: the verified subject, or (without an authenticator) the credential itself.
    private func caller() async throws -> String {
        if let authenticator { return try await authenticator.principal().subject }
        guard let authorization = RequestScope.current?.authorization, !authorization.isEmpty else {
            throw Problem.unauthenticated()
        }
        return "credential:\(authorization.hashValue)"
    }

    private static func buffered(_ request: Request, upTo maxBytes: Int) async throws -> Request {
        var request = request
        do {
            request.body = RequestBody(buffer: try await request.collectBody(upTo: maxBytes))
        } catch is NIOTooManyBytesError {
            throw tooLarge(maxBytes)
        }
        return request
    }

    static func tooLarge(_ maxBytes: Int) -> Problem {
        Problem(
            status: .contentTooLarge, code: "request.too_large", title: "Content Too Large",
            detail: "The request body is larger than this endpoint accepts (\(maxBytes) bytes at most).")
    }
}
