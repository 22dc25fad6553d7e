import Synchronization

/// How many uploads (bodies above ``BodyLimits/standard``) are read and handled at once: in the
/// process, and per account. Over either, the upload is refused before its body is read: 429 for the
/// account, 503 for the process, each with `Retry-After`.
public final class UploadSlots: Sendable {
    private struct State {
        var total = 0
        var perAccount = KeyedCounts()
    }

    private let maxTotal: Int
    private let maxPerAccount: Int
    private let state = Mutex(State())

    public init(limits: RequestLimits) {
        self.maxTotal = limits.maxUploads
        self.maxPerAccount = limits.maxUploadsPerAccount
    }

    /// Uploads under way.
    public var active: Int { state.withLock { $0.total } }

    /// Runs `body` holding a slot for `account`.
    public func run<T>(account: String, _ body: () async throws -> T) async throws -> T {
        try acquire(account)
        defer { release(account) }
        return try await body()
    }

    private func acquire(_ account: String) throws {
        let refusal = state.withLock { state -> Problem? in
            guard state.perAccount[account] < maxPerAccount else {
                return Problem(
                    status: .tooManyRequests, code: "upload.too_many",
                    title: "Too many uploads",
                    detail: "Your account may send \(maxPerAccount) upload(s) at once; wait for the one under way.",
                    retryAfter: 5)
            }
            guard state.total < maxTotal else {
                return Problem(
                    status: .serviceUnavailable, code: "upload.busy", title: "Busy",
                    detail: "The server is reading as many uploads as it takes; retry shortly.", retryAfter: 5)
            }
            state.total += 1
            _ = state.perAccount.enter(account, limit: maxPerAccount)
            return nil
        }
        if let refusal { throw refusal }
    }

    private func release(_ account: String) {
        state.withLock { state in
            state.total -= 1
            state.perAccount.leave(account)
        }
    }
}
