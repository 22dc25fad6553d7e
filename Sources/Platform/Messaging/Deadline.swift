import Synchronization

/// `operation` did not finish within its deadline.
public struct DeadlineExceeded: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public var description: String { "\(what): no answer within \(limit)" }
}

/// Runs `operation`, but returns (throwing ``DeadlineExceeded``) after `limit` even if it never does.
///
/// Unlike a task-group timeout, this does not wait for a cancelled operation to wind down: an await
/// that ignores cancellation (a broker that never acknowledges, a driver that never notices a dead
/// connection) is abandoned, cancelled, and left to finish on its own. Cancelling the caller cancels it.
public func withDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation)
            let work = Task {
                do { race.finish(.success(try await operation())) } catch { race.finish(.failure(error)) }
            }
            let timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                race.finish(.failure(DeadlineExceeded(what: what, limit: limit)))
            }
            race.attach(work: work, timer: timer)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The one continuation of ``withDeadline(_:_:_:)``, resumed by whichever comes first.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var finished = false
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let finishedEarly = state.withLock { state -> Bool in
            if state.finished { return true }
            state.continuation = continuation
            return false
        }
        if finishedEarly { continuation.resume(throwing: CancellationError()) }
    }

    func attach(work: Task<Void, Never>, timer: Task<Void, Never>) {
        let finished = state.withLock { state -> Bool in
            guard !state.finished else { return true }
            state.work = work
            state.timer = timer
            return false
        }
        if finished { timer.cancel() }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock { state in
            guard !state.finished else {
                return (nil, nil, nil) as (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Task<Void, Never>?)
            }
            state.finished = true
            defer { state.continuation = nil; state.work = nil; state.timer = nil }
            return (state.continuation, state.work, state.timer)
        }
        timer?.cancel()
        if case .failure = result { work?.cancel() }
        continuation?.resume(with: result)
    }
}
