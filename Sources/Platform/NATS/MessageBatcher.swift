import Synchronization

/// Hands a pull's messages to one processing task in batches: whatever arrived while the previous
/// batch was being handled, so a busy consumer applies many events per transaction and an idle one
/// handles each as soon as it arrives.
final class MessageBatcher: Sendable {
    private struct State {
        var messages: [JetStreamMessage] = []
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Adds `message` for the next batch.
    func append(_ message: JetStreamMessage) {
        let waiter = state.withLock { state in
            state.messages.append(message)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// No more messages will come: `next` returns what is left, then `nil`.
    func finish() {
        let waiter = state.withLock { state in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Up to `limit` of the messages there are now, in arrival order, without waiting.
    func take(limit: Int) -> [JetStreamMessage] {
        state.withLock { state in
            let batch = Array(state.messages.prefix(limit))
            state.messages.removeFirst(batch.count)
            return batch
        }
    }

    /// Up to `limit` messages, in arrival order, waiting for the first; `nil` once finished and empty.
    func next(limit: Int) async -> [JetStreamMessage]? {
        while true {
            let taken: [JetStreamMessage]? = state.withLock { state in
                if !state.messages.isEmpty {
                    let batch = Array(state.messages.prefix(limit))
                    state.messages.removeFirst(batch.count)
                    return batch
                }
                return state.finished ? [] : nil
            }
            if let taken { return taken.isEmpty ? nil : taken }
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    if !state.messages.isEmpty || state.finished { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }
}
