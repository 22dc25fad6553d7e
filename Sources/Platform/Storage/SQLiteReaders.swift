import Synchronization

/// A SQLite database's reader connections, each lent to one reader at a time (a connection's prepared
/// statements are its own): opened as they are first needed, up to `limit`; past that a reader waits
/// for one to come back, first come first served.
final class SQLiteReaders: Sendable {
    private struct State {
        var idle: [SQLiteHandle] = []
        var opened = 0
        var waiting: [CheckedContinuation<SQLiteHandle, any Error>] = []
        var closed = false
    }

    private enum Next {
        case lend(SQLiteHandle)
        case open
        case wait
    }

    private let state = Mutex(State())
    private let limit: Int
    private let open: @Sendable () throws -> SQLiteHandle

    /// Opens the first connection at once, so that a file that cannot be read fails here.
    init(limit: Int, open: @escaping @Sendable () throws -> SQLiteHandle) throws {
        self.limit = max(1, limit)
        self.open = open
        let first = try open()
        state.withLock {
            $0.idle = [first]
            $0.opened = 1
        }
    }

    func checkOut() async throws -> SQLiteHandle {
        let next = try state.withLock { state -> Next in
            if state.closed { throw SQLiteWriter.closedFailure }
            if let reader = state.idle.popLast() { return .lend(reader) }
            if state.opened < limit {
                state.opened += 1
                return .open
            }
            return .wait
        }
        switch next {
        case .lend(let reader): return reader
        case .open:
            do {
                return try open()
            } catch {
                state.withLock { $0.opened -= 1 }
                throw error
            }
        case .wait:
            return try await withCheckedThrowingContinuation { continuation in
                let reader = state.withLock { state -> SQLiteHandle? in
                    if let reader = state.idle.popLast() { return reader }
                    state.waiting.append(continuation)
                    return nil
                }
                if let reader { continuation.resume(returning: reader) }
            }
        }
    }

    func checkIn(_ reader: SQLiteHandle) {
        let (waiter, closed) = state.withLock { state in
            if state.closed { return (nil as CheckedContinuation<SQLiteHandle, any Error>?, true) }
            if state.waiting.isEmpty {
                state.idle.append(reader)
                return (nil, false)
            }
            return (state.waiting.removeFirst(), false)
        }
        if closed { reader.close() }
        waiter?.resume(returning: reader)
    }

    /// Closes the idle connections now and the lent ones as they come back; waiting readers fail.
    func close() {
        let (idle, waiting) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiting = []
            }
            return (state.idle, state.waiting)
        }
        for reader in idle { reader.close() }
        for waiter in waiting { waiter.resume(throwing: SQLiteWriter.closedFailure) }
    }
}
