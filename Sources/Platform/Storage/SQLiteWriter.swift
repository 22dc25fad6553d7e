import Foundation
import Logging
import Metrics
import SQLKit
import Synchronization

/// A SQLite database's one writer connection and its group commit.
///
/// Write transactions take the writer in turn, first come first served, each on one of the process's
/// writer threads (``ThreadExecutor``): its code and statements run there in one go. Transactions that queue up while
/// one runs commit together: the first begins the SQLite transaction, each later one runs inside it under
/// a savepoint (so its failure undoes only its own statements), and the last of the group, the one that
/// finds nobody waiting or the group full, commits for all. Every caller returns only after the commit
/// that holds its writes; when that commit fails, every member of the group fails with it.
final class SQLiteWriter: Sendable {
    private struct State {
        /// A transaction holds the writer.
        var held = false
        var queue: [CheckedContinuation<Void, Never>] = []
        /// A SQLite transaction is open, holding the writes of `members` (and of its holder).
        var open = false
        var members: [CheckedContinuation<Void, any Error>] = []
        var closed = false
        /// Transactions in the open one so far (its holder's included).
        var grouped = 0
        var commits = 0
    }

    private let handle: SQLiteHandle
    private let thread: ThreadExecutor
    private let logger: Logger
    private let state = Mutex(State())
    /// Transactions committed together at most.
    let groupLimit: Int
    /// How many transactions each commit held.
    private let groupSizes: Recorder

    /// `name` is the database's, in metrics.
    init(handle: SQLiteHandle, name: String, logger: Logger, groupLimit: Int = 64) {
        self.handle = handle
        self.thread = Self.writerThreads
        self.logger = logger
        self.groupLimit = groupLimit
        self.groupSizes = Recorder(label: "sprocket_db_commit_group_size", dimensions: [("database", name)])
    }

    /// Transactions waiting for the writer (for tests).
    var waiting: Int { state.withLock { $0.queue.count } }

    /// Commits made so far (for tests).
    var commits: Int { state.withLock { $0.commits } }

    /// The threads every SQLite write transaction of the process runs on, as many as the cores (at least
    /// two): a transaction runs on one of them from `BEGIN` to `COMMIT`. Shared, so that a process with
    /// many databases (or a test run with many systems) never has more SQLite threads than that
    /// competing with the event loops for the cores.
    private static let writerThreads = ThreadExecutor(
        name: "sqlite-write", threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// Runs `body` in a transaction on a writer thread; returns once its writes are committed.
    func transaction<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(thread) {
            await take()
            let (first, closed) = state.withLock { (!$0.open, $0.closed) }
            if closed {
                hand()
                throw Self.closedFailure
            }
            do {
                try run(first ? "BEGIN IMMEDIATE" : "SAVEPOINT member")
                state.withLock { state in
                    state.open = true
                    state.grouped += 1
                }
            } catch {
                // A member that could not join still ends its turn as one: the group it found commits.
                if first { hand() } else { try await finish(joining: false) }
                throw error
            }
            let result: T
            do {
                result = try await body(SQLiteStatements(handle: handle, logger: logger))
                if !first { try run("RELEASE member") }
            } catch {
                undo(first: first, error: error)
                try await finish(joining: false)
                throw error
            }
            try await finish(joining: true)
            return result
        }
    }

    /// Commits what the open transaction holds and closes the connection; later transactions fail.
    func close() async {
        await withTaskExecutorPreference(thread) {
            await take()
            let members = state.withLock { state in
                state.closed = true
                defer { state.members = [] }
                return state.members
            }
            let outcome = commit()
            for member in members { member.resume(with: outcome) }
            handle.close()
            hand()
        }
    }

    /// Undoes a failed body's writes: its savepoint's, or the whole transaction when it was the first
    /// (or when SQLite has rolled the transaction back itself, which some errors do: the earlier members
    /// then fail too).
    private func undo(first: Bool, error: any Error) {
        if first || !handle.isInTransaction {
            if handle.isInTransaction { try? run("ROLLBACK") }
            let members = state.withLock { state in
                state.open = false
                state.grouped = 0
                defer { state.members = [] }
                return state.members
            }
            for member in members { member.resume(throwing: error) }
        } else {
            try? run("ROLLBACK TO member")
            try? run("RELEASE member")
        }
    }

    /// Ends the holder's turn: hands the writer to the next in line with the transaction still open when
    /// the group has room (a `joining` holder then waits for the group's commit), or commits the group
    /// and hands the writer on.
    private func finish(joining: Bool) async throws {
        let handOver = state.withLock { $0.open && !$0.queue.isEmpty && $0.grouped < groupLimit }
        if handOver {
            guard joining else { return hand() }
            try await withCheckedThrowingContinuation { (member: CheckedContinuation<Void, any Error>) in
                state.withLock { $0.members.append(member) }
                hand()
            }
            return
        }
        let members = state.withLock { state in
            defer { state.members = [] }
            return state.members
        }
        let outcome = commit()
        hand()
        for member in members { member.resume(with: outcome) }
        if joining { try outcome.get() }
    }

    /// Commits the open transaction, if any (rolled back when the commit fails).
    private func commit() -> Result<Void, any Error> {
        guard let grouped = state.withLock({ $0.open ? $0.grouped : nil }) else { return .success(()) }
        defer {
            state.withLock { state in
                state.open = false
                state.grouped = 0
            }
        }
        do {
            try run("COMMIT")
            groupSizes.record(grouped)
            state.withLock { $0.commits += 1 }
            return .success(())
        } catch {
            if handle.isInTransaction { try? run("ROLLBACK") }
            return .failure(error)
        }
    }

    private func run(_ sql: String) throws { try handle.run(sql, []) { _ in } }

    /// Waits for the writer.
    private func take() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let taken = state.withLock { state in
                if state.held {
                    state.queue.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if taken { continuation.resume() }
        }
    }

    /// Hands the writer to the next in line, or frees it.
    private func hand() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.queue.isEmpty {
                state.held = false
                return nil
            }
            return state.queue.removeFirst()
        }
        next?.resume()
    }

    static let closedFailure = SQLiteFailure(code: 21, message: "the database is closed")  // SQLITE_MISUSE
}
