import Foundation
import Logging
import Metrics
import SQLKit
import Synchronization

/// A SQLite database's one writer connection and its group commit.
///
/// Write transactions take the writer in turn, each on one of the process's writer threads
/// (``ThreadExecutor``): its code and statements run there in one go. Requests' transactions go first,
/// in the order they came; background transactions (``WritePriority``) take the writer when no request
/// waits, or when the oldest of them has waited `backgroundPatience`. Transactions that queue up while
/// one runs commit together: the first begins the SQLite transaction, each later one runs inside it under
/// a savepoint (so its failure undoes only its own statements), and the last of the group, the one that
/// finds nobody waiting or the group full, commits for all. Every caller returns only after the commit
/// that holds its writes; when that commit fails, every member of the group fails with it.
final class SQLiteWriter: Sendable {
    private struct State {
        /// A transaction holds the writer.
        var held = false
        var interactive: [CheckedContinuation<Void, Never>] = []
        var background: [(turn: CheckedContinuation<Void, Never>, since: ContinuousClock.Instant)] = []
        /// A SQLite transaction is open, holding the writes of `members` (and of its holder).
        var open = false
        var members: [CheckedContinuation<Void, any Error>] = []
        var closed = false
        /// Transactions in the open one so far (its holder's included).
        var grouped = 0
        /// The open transaction holds a request's writes.
        var holdsInteractive = false
        var commits = 0

        /// Whether the next to take the writer is background work (nil: nobody waits).
        func nextIsBackground(patience: Duration) -> Bool? {
            guard let oldest = background.first else { return interactive.isEmpty ? nil : false }
            return interactive.isEmpty || oldest.since.duration(to: .now) >= patience
        }
    }

    private let handle: SQLiteHandle
    private let logger: Logger
    private let state = Mutex(State())
    /// Transactions committed together at most.
    let groupLimit: Int
    /// How long a background transaction waits behind requests' at most before it goes first.
    let backgroundPatience: Duration
    /// How many transactions each commit held.
    private let groupSizes: Recorder

    /// `name` is the database's, in metrics.
    init(
        handle: SQLiteHandle, name: String, logger: Logger, groupLimit: Int = 64,
        backgroundPatience: Duration = .milliseconds(10)
    ) {
        self.backgroundPatience = backgroundPatience
        self.handle = handle
        self.logger = logger
        self.groupLimit = groupLimit
        self.groupSizes = Recorder(label: "sprocket_db_commit_group_size", dimensions: [("database", name)])
    }

    /// Transactions waiting for the writer (for tests).
    var waiting: Int { state.withLock { $0.interactive.count + $0.background.count } }

    /// Commits made so far (for tests).
    var commits: Int { state.withLock { $0.commits } }

    /// The threads every SQLite write transaction of the process runs on, as many as the cores (at least
    /// two) for requests' and as many for background work's: a transaction runs on one of them from
    /// `BEGIN` to `COMMIT`. Shared, so that a process with many databases (or a test run with many
    /// systems) never has more SQLite threads than that competing with the event loops for the cores;
    /// two sets, so that a request's transaction never waits for a thread behind other databases'
    /// batches (it waits for its own database's writer at most).
    private static let requestThreads = ThreadExecutor(
        name: "sqlite-write", threads: max(2, ProcessInfo.processInfo.activeProcessorCount))
    private static let backgroundThreads = ThreadExecutor(
        name: "sqlite-write-bg", threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// The threads write transactions of `priority` run on.
    static func threads(_ priority: WritePriority) -> ThreadExecutor {
        switch priority {
        case .interactive: requestThreads
        case .background: backgroundThreads
        }
    }

    /// Runs `body` in a transaction on a writer thread; returns once its writes are committed.
    func transaction<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let priority = WritePriority.current
        return try await withTaskExecutorPreference(Self.threads(priority)) {
            await take(priority)
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
                    if priority == .interactive { state.holdsInteractive = true }
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
        await withTaskExecutorPreference(Self.threads(.interactive)) {
            await take(.interactive)
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
                state.holdsInteractive = false
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
    /// and hands the writer on. Background work never joins a group that holds a request's writes: the
    /// request would wait for it.
    private func finish(joining: Bool) async throws {
        let handOver = state.withLock { state in
            guard state.open, state.grouped < groupLimit,
                let background = state.nextIsBackground(patience: backgroundPatience)
            else { return false }
            return !(background && state.holdsInteractive)
        }
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
                state.holdsInteractive = false
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
    private func take(_ priority: WritePriority) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let taken = state.withLock { state in
                if state.held {
                    switch priority {
                    case .interactive: state.interactive.append(continuation)
                    case .background: state.background.append((continuation, .now))
                    }
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
            switch state.nextIsBackground(patience: backgroundPatience) {
            case nil:
                state.held = false
                return nil
            case true?: return state.background.removeFirst().turn
            case false?: return state.interactive.removeFirst()
            }
        }
        next?.resume()
    }

    static let closedFailure = SQLiteFailure(code: 21, message: "the database is closed")  // SQLITE_MISUSE
}
