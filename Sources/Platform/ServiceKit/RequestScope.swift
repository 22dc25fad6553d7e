import Logging

/// What a request carries that handlers behind the generated OpenAPI server need: id, credentials, client.
///
/// Set by ``RequestScopeMiddleware`` for the duration of one request (a task-local, so it follows the
/// request's task and nothing else).
public struct RequestScope: Sendable {
    @TaskLocal public static var current: RequestScope?

    public var requestID: String
    public var authorization: String?
    public var clientAddress: String?
    /// This request's span as a `traceparent`, for the calls it makes to other services.
    public var traceparent: String?
    public var logger: Logger

    public init(requestID: String, authorization: String?, clientAddress: String?, traceparent: String?, logger: Logger)
    {
        self.requestID = requestID
        self.authorization = authorization
        self.clientAddress = clientAddress
        self.traceparent = traceparent
        self.logger = logger
    }
}
