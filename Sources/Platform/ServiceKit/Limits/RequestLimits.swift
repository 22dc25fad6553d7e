/// The limits every Sprocket process puts on its clients, so that no client, with an account or
/// without, can take memory, connections or CPU from the others. Set from `SPROCKET_*` variables and
/// flags (the README's configuration table); the defaults suit a 2-core machine with 256 MiB to spare.
public struct RequestLimits: Sendable {
    /// Connections open at once in the whole process; the next is answered 503 and closed.
    public var maxConnections = 2_000
    /// Connections open at once from one client address (an IPv6 /64 counts as one); the next is
    /// answered 429 and closed. Trusted proxies (the gateway) count only toward ``maxConnections``.
    public var maxConnectionsPerAddress = 64
    /// How long a connection may stay open with no request under way (before the first request and
    /// between requests).
    public var idleTimeout: Duration = .seconds(30)
    /// How long the head of a request (request line and headers) may take to arrive from its first
    /// byte; then 408 and the connection is closed.
    public var headerTimeout: Duration = .seconds(10)
    /// How long a request's body may take to arrive from the end of its head; then the connection is
    /// closed.
    public var bodyTimeout: Duration = .seconds(60)
    /// Bytes of request line and headers; more is answered 431 and the connection is closed.
    public var maxHeaderBytes = 32 * 1024
    /// Requests being handled at once in the process; more are answered 503 with `Retry-After`.
    public var maxInFlight = 1_000
    /// Large uploads (CSV imports) whose bodies are read at once in the process, and by one account.
    public var maxUploads = 2
    public var maxUploadsPerAccount = 1

    public init() {}
}
