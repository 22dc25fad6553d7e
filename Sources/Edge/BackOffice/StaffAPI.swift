import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceKit

/// The services' REST API as the back office calls it: requests to this process's REST routes (the
/// embedded router, or the gateway's proxy to the services), with the staff member's token, so that
/// validation, idempotency and authorization are exactly the REST API's.
struct StaffAPI: Sendable {
    typealias Responder = @Sendable (Request, AppRequestContext) async throws -> Response

    let responder: Responder
    let logger: Logger

    /// One call's credentials and the browser's address (throttling counts the staff member's client).
    struct Caller: Sendable {
        var token: String?
        var remoteAddress: SocketAddress?
    }

    /// `GET /api/v1<path>` with `query` (absent and empty values left out); the JSON answer.
    func get(_ path: String, query: [(String, String?)] = [], as caller: Caller) async throws -> JSONValue {
        try await json(.get, path + Self.queryString(query), body: nil, as: caller)
    }

    /// `POST /api/v1<path>` with a JSON body and, for a write, its idempotency key.
    func post(_ path: String, _ body: [String: Any], key: String? = nil, as caller: Caller) async throws -> JSONValue {
        try await json(.post, path, body: try JSONSerialization.data(withJSONObject: body), key: key, as: caller)
    }

    /// `PATCH /api/v1<path>` with a JSON body.
    func patch(_ path: String, _ body: [String: Any], key: String? = nil, as caller: Caller) async throws -> JSONValue {
        try await json(.patch, path, body: try JSONSerialization.data(withJSONObject: body), key: key, as: caller)
    }

    /// `POST /api/v1<path>` with a CSV body (an import's file).
    func upload(_ path: String, csv: ByteBuffer, as caller: Caller) async throws -> JSONValue {
        try await json(.post, path, body: Data(csv.readableBytesView), contentType: "text/csv", as: caller)
    }

    /// A page of the API in another format (`text/html` printable pages, `text/csv` reports), as text.
    func page(_ path: String, accept: String = "text/html", as caller: Caller) async throws -> String {
        let (status, bytes) = try await send(.get, path, accept: accept, body: nil, as: caller)
        guard status.kind == .successful else { throw Self.problem(status, bytes) }
        return String(decoding: bytes.readableBytesView, as: UTF8.self)
    }

    private func json(
        _ method: HTTPRequest.Method, _ path: String, body: Data?, contentType: String = "application/json",
        key: String? = nil, as caller: Caller
    ) async throws -> JSONValue {
        let (status, bytes) = try await send(
            method, path, accept: "application/json", body: body, contentType: contentType, key: key, as: caller)
        guard status.kind == .successful else { throw Self.problem(status, bytes) }
        guard bytes.readableBytes > 0 else { return JSONValue(nil) }
        return JSONValue(try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)))
    }

    private func send(
        _ method: HTTPRequest.Method, _ path: String, accept: String, body: Data?,
        contentType: String = "application/json", key: String? = nil, as caller: Caller
    ) async throws -> (HTTPResponse.Status, ByteBuffer) {
        var head = HTTPRequest(method: method, scheme: "http", authority: "localhost", path: "/api/v1" + path)
        head.headerFields[.accept] = accept
        if let token = caller.token { head.headerFields[.authorization] = "Bearer " + token }
        if let key { head.headerFields[.idempotencyKey] = key }
        if let id = RequestScope.current?.requestID { head.headerFields[.requestID] = id }
        var buffer = ByteBuffer()
        if let body {
            buffer = ByteBuffer(bytes: body)
            head.headerFields[.contentType] = contentType
            head.headerFields[.contentLength] = String(body.count)
        }
        let response = try await responder(
            Request(head: head, body: RequestBody(buffer: buffer)),
            AppRequestContext(inProcess: logger, remoteAddress: caller.remoteAddress))
        return (response.status, try await response.collectedBody())
    }

    /// The RFC 9457 problem the API answered (or one made from its status).
    private static func problem(_ status: HTTPResponse.Status, _ bytes: ByteBuffer) -> Problem {
        if let problem = try? JSONDecoder().decode(Problem.self, from: Data(bytes.readableBytesView)) { return problem }
        return Problem(status: status, code: "upstream.failed", detail: "A service answered \(status.code).")
    }

    /// `?a=1&b=2`, percent-encoded, without absent or empty values.
    static func queryString(_ query: [(String, String?)]) -> String {
        var components = URLComponents()
        components.queryItems = query.compactMap { name, value in
            guard let value, !value.isEmpty else { return nil }
            return URLQueryItem(name: name, value: value)
        }
        guard let encoded = components.percentEncodedQuery, !encoded.isEmpty else { return "" }
        // `+` is a space in a form-encoded query; keep it a plus (an email's, a time zone's).
        return "?" + encoded.replacingOccurrences(of: "+", with: "%2B")
    }
}

/// A JSON answer, read by key and index; absent members read as nothing.
struct JSONValue: @unchecked Sendable {
    let raw: Any?

    init(_ raw: Any?) { self.raw = raw }

    subscript(key: String) -> JSONValue { JSONValue((raw as? [String: Any])?[key]) }
    var array: [JSONValue] { (raw as? [Any])?.map(JSONValue.init) ?? [] }
    var string: String? { raw as? String }
    var int: Int? { (raw as? NSNumber)?.intValue ?? (raw as? Int) }
    /// The value as Mustache renders it: dictionaries and arrays as they are, `null` as nothing.
    var object: [String: Any] { (raw as? [String: Any]) ?? [:] }
    var text: String {
        switch raw {
        case let string as String: string
        case let number as NSNumber: number.stringValue
        default: ""
        }
    }
}
