import Crypto
import Foundation
import Hummingbird
import SQLKit
import Storage
import Synchronization

/// Makes mutating requests with an `Idempotency-Key` header safe to retry.
///
/// The first request with a key claims it (a unique row per caller and key, leased for `lease`) and
/// its response is stored; a retry with the same body gets that response again (with
/// `Idempotent-Replayed: true`); the same key with another body or path is a 409 (the key's state
/// conflicts with the request; the IETF draft says 422, which would claim the request itself is malformed). A duplicate arriving
/// while the first is still running waits for it (up to `waitLimit`, then 409 with `Retry-After`), so
/// concurrent duplicates have one effect. If the first request fails with an error or a 5xx, the claim
/// is dropped and the key may be used again; if its process died, a retry after the lease takes the
/// claim over (the store's own key, e.g. on orders, then returns what the first request made).
/// A key expires after the database's ``RetentionPolicy/idempotencyKeys`` (24 hours): the same key after
/// that is a new request (and the retention sweep deletes the old record).
/// Anonymous callers are scoped by client address. `excluding` lists routes never recorded (token
/// issuing: its response is a credential), compared with the route the router matched, so no other
/// spelling of the path (`//`, a trailing `/`) records it either. Needs ``BodyLimitMiddleware`` in front of it.
public struct IdempotencyMiddleware<Context: RequestContext>: RouterMiddleware {
    private let database: Database
    private let authenticator: Authenticator
    private let waitLimit: Duration
    private let lease: Duration
    private let excluding: Set<String>

    public init(
        database: Database, authenticator: Authenticator, waitLimit: Duration = .seconds(10),
        lease: Duration = .seconds(15), excluding: Set<String> = []
    ) {
        self.database = database
        self.authenticator = authenticator
        self.waitLimit = waitLimit
        self.lease = lease
        self.excluding = excluding
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method), let key = request.headers[.idempotencyKey],
            !excluding.contains(Self.route(of: request, context: context))
        else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            throw Problem(
                status: .badRequest, code: "idempotency.invalid_key",
                detail: "Idempotency-Key must be 1 to 255 visible ASCII characters."
            )
        }
        let principal = await authenticator.optionalPrincipal()
        if principal == nil, request.headers[.authorization] != nil {
            // A token that does not verify: the handler answers 401; nothing is claimed for it.
            return try await next(request, context)
        }
        let caller = principal?.subject ?? "anonymous:\(RequestScope.current?.clientAddress ?? "-")"
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: BodyLimits.upload))
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: body)
        let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()

        let deadline = ContinuousClock.now + waitLimit
        // Waiters poll with a growing pause: each poll is a write transaction, and a dozen of them every
        // 10 ms kept SQLite's one writer from the request they waited for (10 s under load, in CI).
        var pause = Duration.milliseconds(5)
        while true {
            if try await claim(scope: caller, key: key, hash: hash) {
                return try await run(request, context: context, scope: caller, key: key, next: next)
            }
            if let replayed = try await replay(scope: caller, key: key, hash: hash) { return replayed }
            guard ContinuousClock.now < deadline else {
                throw Problem(
                    status: .conflict, code: "idempotency.in_progress", title: "Conflict",
                    detail: "A request with this key is still being processed; retry shortly.",
                    retryAfter: Int(lease.components.seconds) + 1)
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(200))
        }
    }

    /// The route template the router matched (`/api/v1/orders/{id}`), or the path with its empty
    /// segments dropped.
    static func route(of request: Request, context: Context) -> String {
        context.endpointPath.map(normalized) ?? normalized(request.uri.path)
    }

    private static func normalized(_ path: String) -> String {
        "/" + path.split(separator: "/").joined(separator: "/")
    }

    /// Claims the key, takes over a claim whose lease ran out (same request only), or takes an expired
    /// key for this new request; `true` when ours.
    private func claim(scope: String, key: String, hash: String) async throws -> Bool {
        let now = Date().microsecondsSince1970
        let until = now + lease.microseconds
        let expired = now - database.retention.idempotencyKeys.microseconds
        return try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at, locked_until)
                VALUES (\(bind: scope), \(bind: key), \(bind: hash), 'running', \(bind: now), \(bind: until))
                ON CONFLICT (scope, key) DO UPDATE SET locked_until = excluded.locked_until,
                    request_hash = excluded.request_hash, state = 'running', status = NULL, content_type = NULL,
                    location = NULL, body = NULL,
                    created_at = CASE WHEN idempotency_keys.created_at < \(bind: expired) THEN excluded.created_at
                        ELSE idempotency_keys.created_at END
                WHERE (idempotency_keys.locked_until IS NULL OR idempotency_keys.locked_until < \(bind: now))
                    AND ((idempotency_keys.state = 'running' AND idempotency_keys.request_hash = excluded.request_hash)
                        OR idempotency_keys.created_at < \(bind: expired))
                RETURNING key
                """
            ).first() != nil
        }
    }

    private func run(
        _ request: Request, context: Context, scope: String, key: String,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await release(scope: scope, key: key)
            throw error
        }
        if response.status.code >= 500 {
            try? await release(scope: scope, key: key)
            return response
        }
        let box = BodyCollector.Box()
        try await response.body.write(BodyCollector(box: box))
        let bytes = box.bytes.withLock { $0 }
        var copy = response
        copy.body = ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        do {
            try await store(copy, bytes: bytes, scope: scope, key: key)
        } catch {
            // The effect happened but its answer is not recorded. If the claim can be dropped, the client
            // gets its answer and a retry runs again (stores that keep their own key, like orders,
            // answer it with the same result). If not (the database is down), the claim would stay in
            // progress with nobody to finish it: the client is told to retry after the lease, and that
            // retry takes the claim over and finishes it.
            RequestScope.current?.logger.warning(
                "idempotent response not stored", metadata: ["error": "\(type(of: error))"])
            do {
                try await release(scope: scope, key: key)
            } catch {
                throw Problem(
                    status: .serviceUnavailable, code: "idempotency.not_recorded", title: "Service Unavailable",
                    detail:
                        "The request may have taken effect, but its answer could not be recorded; retry with the same key.",
                    retryAfter: Int(lease.components.seconds) + 1)
            }
        }
        return copy
    }

    private func store(_ response: Response, bytes: Data, scope: String, key: String) async throws {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE idempotency_keys SET state = 'done', status = \(bind: response.status.code),
                    content_type = \(bind: response.headers[.contentType]), location = \(bind: response.headers[.location]),
                    body = \(bind: bytes.base64EncodedString())
                WHERE scope = \(bind: scope) AND key = \(bind: key)
                """
            ).run()
        }
    }

    private func release(scope: String, key: String) async throws {
        try await database.transaction { db in
            try await db.raw("DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key)").run()
        }
    }

    /// The stored response when the key is done; 422 when it was used for another request; `nil` while
    /// the first request still runs (or was just released).
    private func replay(scope: String, key: String, hash: String) async throws -> Response? {
        let row = try await database.read { db in
            try await db.raw(
                """
                SELECT request_hash, state, status, content_type, location, body FROM idempotency_keys
                WHERE scope = \(bind: scope) AND key = \(bind: key)
                """
            ).first()
        }
        guard let row else { return nil }
        guard try row.decode(column: "request_hash", as: String.self) == hash else {
            throw Problem.conflict(
                "idempotency.key_reused", "This Idempotency-Key was used with a different request body or path.")
        }
        guard try row.decode(column: "state", as: String.self) == "done" else { return nil }
        return try replayedResponse(row)
    }

    private func replayedResponse(_ row: any SQLRow) throws -> Response {
        let status = try row.decode(column: "status", as: Int.self)
        let body = Data(base64Encoded: try row.decode(column: "body", as: String?.self) ?? "") ?? Data()
        var headers: HTTPFields = [.idempotentReplayed: "true"]
        if let contentType = try row.decode(column: "content_type", as: String?.self) {
            headers[.contentType] = contentType
        }
        if let location = try row.decode(column: "location", as: String?.self) { headers[.location] = location }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}

/// Collects a response body in memory (responses of mutating endpoints are small JSON documents).
private struct BodyCollector: ResponseBodyWriter {
    final class Box: Sendable {
        let bytes = Mutex(Data())
    }

    let box: Box

    mutating func write(_ buffer: ByteBuffer) async throws {
        box.bytes.withLock { $0.append(contentsOf: buffer.readableBytesView) }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
