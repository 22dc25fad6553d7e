import Synchronization

/// A counting semaphore with a bounded FIFO queue: at most `concurrency` bodies run at once, at most
/// `queueLimit` more wait for a slot, and beyond that the caller is refused at once (with the problem
/// it names), so work never queues without end.
public final class WaitingSlots: Sendable {
    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    private let queueLimit: Int

    public init(concurrency: Int, queueLimit: Int) {
        self.state = Mutex(State(free: max(1, concurrency)))
        self.queueLimit = queueLimit
    }

    /// Runs `body` in a slot, waiting for one if needed; throws `refusal` when the queue is full.
    public func run<T: Sendable>(refusal: @autoclosure () -> Problem, _ body: () async throws -> T) async throws -> T {
        guard await acquire() else { throw refusal() }
        defer { release() }
        return try await body()
    }

    /// Runs `body` in a slot; `nil` without running it when the queue is full (`waitsAlways`: it waits
    /// whatever the queue holds, for work already admitted elsewhere).
    public func run<T: Sendable>(waitsAlways: Bool = false, _ body: () async -> T) async -> T? {
        guard await acquire(waitsAlways: waitsAlways) else { return nil }
        defer { release() }
        return await body()
    }

    private func acquire(waitsAlways: Bool = false) async -> Bool {
        enum Step { case go, wait, refuse }
        let step = state.withLock { state -> Step in
            if state.free > 0 {
                state.free -= 1
                return .go
            }
            return waitsAlways || state.waiters.count < queueLimit ? .wait : .refuse
        }
        switch step {
        case .go: return true
        case .refuse: return false
        case .wait:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let granted = state.withLock { state -> Bool in
                    if state.free > 0 {
                        state.free -= 1
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if granted { continuation.resume() }
            }
            return true
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
