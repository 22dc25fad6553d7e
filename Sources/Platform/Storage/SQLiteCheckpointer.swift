import Synchronization

/// Copies a database's write-ahead log into its file from a connection and a thread of its own.
///
/// SQLite's automatic checkpoint runs in the commit that finds the log past its limit: on the writer,
/// which then holds every waiting transaction for as long as copying 16 MiB and syncing the file take
/// (a tenth of the placements' p99 under the whole flow's load). Here the writer's commits only report
/// the log's length (`sqlite3_wal_hook`); past the limit the checkpointer runs a passive checkpoint on
/// its own connection, beside the writer, which goes on committing meanwhile.
final class SQLiteCheckpointer: Sendable {
    private struct State {
        var running = false
        var again = false
        var closed = false
    }

    private let handle: SQLiteHandle
    private let state = Mutex(State())
    /// Log pages (4 KiB each) past which a checkpoint starts: 16 MiB, SQLite's limit before.
    let limit: Int32

    /// The thread every checkpoint of the process runs on.
    private static let thread = ThreadExecutor(name: "sqlite-ckpt")

    init(path: String, limit: Int32 = 4000) throws {
        self.limit = limit
        handle = try SQLiteHandle(path: path)
        try handle.run("PRAGMA busy_timeout=10000", []) { _ in }
    }

    /// Reported by the writer after each commit, on its thread: starts a checkpoint (or another one
    /// after the one under way) when the log holds `pages` or more.
    func committed(pages: Int32) {
        guard pages >= limit else { return }
        let start = state.withLock { state in
            guard !state.closed else { return false }
            guard !state.running else {
                state.again = true
                return false
            }
            state.running = true
            return true
        }
        if start { Task(executorPreference: Self.thread) { self.checkpoint() } }
    }

    private func checkpoint() {
        repeat {
            // Passive: copies what no reader still needs, never waits for the writer or the readers.
            try? handle.run("PRAGMA wal_checkpoint(PASSIVE)", []) { _ in }
        } while state.withLock { state in
            defer { state.again = false }
            state.running = state.again && !state.closed
            return state.running
        }
    }

    /// Closes the connection after the checkpoint under way; no checkpoint starts afterwards.
    func close() async {
        state.withLock { $0.closed = true }
        await withTaskExecutorPreference(Self.thread) {
            // Jobs on the one thread run in turn: a checkpoint under way has ended by now.
            handle.close()
        }
    }
}
