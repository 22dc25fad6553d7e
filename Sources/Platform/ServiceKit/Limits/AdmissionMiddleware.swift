import Hummingbird
import Synchronization

/// Bounds the requests a process handles at once (``RequestLimits/maxInFlight``): one more is answered
/// 503 with `Retry-After` at once, so a flood queues nowhere inside the process. Health probes are
/// always admitted (an orchestrator must see a busy process as alive).
public struct AdmissionMiddleware<Context: RequestContext>: RouterMiddleware {
    private let counter: InFlightCounter

    public init(counter: InFlightCounter) {
        self.counter = counter
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if request.uri.path.hasPrefix("/health/") { return try await next(request, context) }
        guard counter.enter() else {
            throw Problem(
                status: .serviceUnavailable, code: "server.busy", title: "Busy",
                detail: "The server is handling as many requests as it takes; retry shortly.", retryAfter: 1)
        }
        defer { counter.leave() }
        return try await next(request, context)
    }
}

/// Requests under way in a process.
public final class InFlightCounter: Sendable {
    private let limit: Int
    private let count = Atomic<Int>(0)
    /// Told whenever the last request in flight ends.
    private let reclaimer: MemoryReclaimer?

    public init(limit: Int, reclaimer: MemoryReclaimer? = nil) {
        self.limit = limit
        self.reclaimer = reclaimer
    }

    /// Requests under way now.
    public var current: Int { count.load(ordering: .relaxed) }

    func enter() -> Bool {
        let now = count.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            count.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    func leave() {
        if count.wrappingSubtract(1, ordering: .relaxed).newValue == 0 { reclaimer?.released() }
    }
}
