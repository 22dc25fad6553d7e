import Foundation
import Logging
import SQLKit
import Synchronization

/// SQLite in WAL mode: one writer connection, taken in turn with group commit (``SQLiteWriter``), and
/// reader connections lent to one reader at a time.
///
/// Statements run on SQLite's C API on threads of their own (``ThreadExecutor``): a write transaction
/// moves onto one of the process's writer threads once and runs there, code and statements, until it
/// commits; a read moves onto one of the process's reader threads. Prepared statements are kept per connection
/// (``SQLiteHandle``).
final class SQLiteBackend: Sendable {
    private let writer: SQLiteWriter
    private let readers: SQLiteReaders
    /// Kept for as long as the writer reports its commits to it.
    private let checkpointer: SQLiteCheckpointer
    private let closed = Atomic<Bool>(false)
    private let logger: Logger

    private init(writer: SQLiteWriter, readers: SQLiteReaders, checkpointer: SQLiteCheckpointer, logger: Logger) {
        self.writer = writer
        self.checkpointer = checkpointer
        self.readers = readers
        self.logger = logger
    }

    /// Large catalogs (a million parts, five million fitments) outgrow SQLite's default 8 MiB page cache:
    /// without a budget, each connection may cache up to 64 MiB (the writer 256 MiB; used only as the data
    /// grows) and reads the file through a memory map of up to 1 GiB instead of a system call per page;
    /// statement journals stay in memory. With `cacheBytes`, the writer's cache gets half of it, the
    /// readers share the other half, and each connection maps at most its cache's size.
    static func tuning(cache: Int, map: Int) -> [String] {
        ["PRAGMA cache_size=-\(max(1, cache / 1024))", "PRAGMA mmap_size=\(map)", "PRAGMA temp_store=MEMORY"]
    }

    static func open(path: String, logger: Logger, readerCount: Int = 3, cacheBytes: Int? = nil) async throws
        -> SQLiteBackend
    {
        let writerCache = cacheBytes.map { $0 / 2 } ?? 256 << 20
        let readerCache = cacheBytes.map { $0 / 2 / readerCount } ?? 64 << 20
        let map = { (cache: Int) in cacheBytes == nil ? 1 << 30 : cache }
        let writer = try SQLiteHandle(path: path)
        // Checkpoints every 16 MiB of WAL (not 4 MiB: a page written by many transactions in between, as
        // an import's random index inserts are, goes to the database file once), beside the writer
        // (``SQLiteCheckpointer``), and the WAL file is cut back to 16 MiB after a checkpoint, so it stays
        // small in steady state.
        // A new file gives back the pages deletes free (`incremental_vacuum`, run by the retention sweep);
        // a file made before keeps them for reuse (the pragma changes nothing once tables exist).
        let writerPragmas = [
            "PRAGMA auto_vacuum=INCREMENTAL", "PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=10000",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA journal_size_limit=16777216",
        ]
        for pragma in writerPragmas + tuning(cache: writerCache, map: map(writerCache)) {
            try writer.run(pragma, []) { _ in }
        }
        let checkpointer = try SQLiteCheckpointer(path: path)
        writer.reportCommits(to: checkpointer)
        let readerPragmas = ["PRAGMA busy_timeout=10000"] + tuning(cache: readerCache, map: map(readerCache))
        let readers = try SQLiteReaders(limit: readerCount) {
            let reader = try SQLiteHandle(path: path)
            for pragma in readerPragmas { try reader.run(pragma, []) { _ in } }
            return reader
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return SQLiteBackend(
            writer: SQLiteWriter(handle: writer, name: name, logger: logger), readers: readers,
            checkpointer: checkpointer, logger: logger)
    }

    /// Runs `body` with a reader connection of its own, on one of the process's reader threads.
    func read<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try checkOpen()
        return try await withTaskExecutorPreference(Self.readerThreads) {
            let reader = try await readers.checkOut()
            defer { readers.checkIn(reader) }
            return try await body(SQLiteStatements(handle: reader, logger: logger))
        }
    }

    /// The threads every SQLite read of the process runs on: a long read (a report, a search of a
    /// million parts) blocks one of them, never the Swift pool that accepts connections and answers.
    private static let readerThreads = ThreadExecutor(
        name: "sqlite-read", threads: max(2, ProcessInfo.processInfo.activeProcessorCount))

    /// Runs `body` in a write transaction (``SQLiteWriter``): on a writer thread, committed with the
    /// transactions queued behind it, and returning once committed; rolled back when it throws.
    func transaction<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try checkOpen()
        return try await writer.transaction(body)
    }

    /// Closes every connection once the transactions under way have committed; later calls fail.
    func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        await writer.close()
        readers.close()
        await checkpointer.close()
    }

    private func checkOpen() throws {
        if closed.load(ordering: .acquiring) { throw SQLiteWriter.closedFailure }
    }
}
