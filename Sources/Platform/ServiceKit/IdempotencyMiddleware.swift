import Crypto
import Foundation
import Hummingbird
import SQLKit
import Storage

/// Makes mutating requests with an `Idempotency-Key` header safe to retry.
///
/// The first request with a key claims it (a unique row per caller and key) and its response is
/// stored; a retry with the same body gets that response again (with `Idempotent-Replayed: true`);
/// the same key with another body or path is a 422. A duplicate arriving while the first is still
/// running waits for it (up to `waitLimit`), so concurrent duplicates have one effect. If the first
/// request fails with an error or a 5xx, the claim is dropped and the key may be used again.
/// Needs ``BodyLimitMiddleware`` in front of it.
public struct IdempotencyMiddleware<Context: RequestContext>: RouterMiddleware {
    private let database: Database
    private let authenticator: Authenticator
    private let waitLimit: Duration

    public init(database: Database, authenticator: Authenticator, waitLimit: Duration = .seconds(10)) {
        self.database = database
        self.authenticator = authenticator
        self.waitLimit = waitLimit
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method), let key = request.headers[.idempotencyKey] else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.count), key.allSatisfy({ $0.isASCII && !$0.isWhitespace && !$0.isNewline }) else {
            throw Problem(
                status: .badRequest, code: "idempotency.invalid_key",
                detail: "Idempotency-Key must be 1 to 255 visible ASCII characters."
            )
        }
        let caller = await authenticator.optionalPrincipal()?.subject ?? "anonymous"
        var request = request
        let body = Data(buffer: try await request.collectBody(upTo: 1 << 20))
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: body)
        let hash = hasher.finalize().map { String(format: "%02x", $0) }.joined()

        let claimed = try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at)
                VALUES (\(bind: caller), \(bind: key), \(bind: hash), 'running', \(bind: Date().microsecondsSince1970))
                ON CONFLICT DO NOTHING RETURNING key
                """
            ).first() != nil
        }
        if !claimed {
            return try await replay(scope: caller, key: key, hash: hash)
        }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await release(scope: caller, key: key)
            throw error
        }
        if response.status.code >= 500 {
            try? await release(scope: caller, key: key)
            return response
        }
        return try await store(response, scope: caller, key: key)
    }

    private func store(_ response: Response, scope: String, key: String) async throws -> Response {
        let box = BodyCollector.Box()
        try await response.body.write(BodyCollector(box: box))
        let bytes = box.bytes
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
        var copy = response
        copy.body = ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        return copy
    }

    private func release(scope: String, key: String) async throws {
        try await database.transaction { db in
            try await db.raw("DELETE FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key)").run()
        }
    }

    private func replay(scope: String, key: String, hash: String) async throws -> Response {
        let deadline = ContinuousClock.now + waitLimit
        while true {
            let row = try await database.read { db in
                try await db.raw(
                    """
                    SELECT request_hash, state, status, content_type, location, body FROM idempotency_keys
                    WHERE scope = \(bind: scope) AND key = \(bind: key)
                    """
                ).first()
            }
            guard let row else {
                throw Problem.conflict("idempotency.retry", "The first request with this key failed; retry it.")
            }
            guard try row.decode(column: "request_hash", as: String.self) == hash else {
                throw Problem(
                    status: .unprocessableContent, code: "idempotency.key_reused",
                    detail: "This Idempotency-Key was used with a different request body or path."
                )
            }
            if try row.decode(column: "state", as: String.self) == "done" {
                return try replayedResponse(row)
            }
            guard ContinuousClock.now < deadline else {
                throw Problem.conflict("idempotency.in_progress", "A request with this key is still being processed.")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
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
    final class Box: @unchecked Sendable {
        var bytes = Data()
    }

    let box: Box

    mutating func write(_ buffer: ByteBuffer) async throws {
        box.bytes.append(contentsOf: buffer.readableBytesView)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
