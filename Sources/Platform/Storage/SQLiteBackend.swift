import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import Synchronization

/// SQLite in WAL mode: one writer connection behind a FIFO lock, a few reader connections in parallel.
final class SQLiteBackend: Sendable {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let nextReader = Atomic<Int>(0)
    private let writeLock = AsyncLock()
    private let closed = Atomic<Bool>(false)

    private init(writer: SQLiteConnection, readers: [SQLiteConnection]) {
        self.writer = writer
        self.readers = readers
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
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        // Checkpoints every 16 MiB of WAL (not 4 MiB: a page written by many transactions in between, as
        // an import's random index inserts are, goes to the database file once), and the WAL file is cut
        // back to 16 MiB after a checkpoint, so it stays small in steady state.
        // A new file gives back the pages deletes free (`incremental_vacuum`, run by the retention sweep);
        // a file made before keeps them for reuse (the pragma changes nothing once tables exist).
        let writerPragmas = [
            "PRAGMA auto_vacuum=INCREMENTAL", "PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=10000",
            "PRAGMA synchronous=NORMAL",
            "PRAGMA wal_autocheckpoint=4000", "PRAGMA journal_size_limit=16777216",
        ]
        for pragma in writerPragmas + tuning(cache: writerCache, map: map(writerCache)) {
            _ = try await writer.query(pragma)
        }
        var readers: [SQLiteConnection] = []
        for _ in 0..<readerCount {
            let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            for pragma in ["PRAGMA busy_timeout=10000"] + tuning(cache: readerCache, map: map(readerCache)) {
                _ = try await reader.query(pragma)
            }
            readers.append(reader)
        }
        return SQLiteBackend(writer: writer, readers: readers)
    }

    func read<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let index = nextReader.wrappingAdd(1, ordering: .relaxed).oldValue
        let reader = readers[abs(index) % readers.count]
        return try await body(reader.sql(queryLogLevel: .trace))
    }

    func write<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await writeLock.withLock { try await body(UncancelledStatements(base: writer.sql(queryLogLevel: .trace))) }
    }

    func close() async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        for connection in readers + [writer] {
            try? await connection.close()
        }
    }
}
