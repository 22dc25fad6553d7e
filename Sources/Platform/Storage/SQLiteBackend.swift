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
    /// each connection may cache up to 64 MiB (used only as the data grows) and reads the file through a
    /// memory map instead of a system call per page; statement journals stay in memory.
    private static let tuning = ["PRAGMA cache_size=-65536", "PRAGMA mmap_size=1073741824", "PRAGMA temp_store=MEMORY"]

    static func open(path: String, logger: Logger, readerCount: Int = 3) async throws -> SQLiteBackend {
        let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        // Checkpoints every 40 MiB of WAL (not 4 MiB): a page written by many transactions in between
        // (an import's random index inserts) goes to the database file once.
        let writerPragmas = [
            "PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=10000", "PRAGMA synchronous=NORMAL",
            "PRAGMA wal_autocheckpoint=10000",
        ]
        for pragma in writerPragmas + tuning + ["PRAGMA cache_size=-262144"] {
            _ = try await writer.query(pragma)
        }
        var readers: [SQLiteConnection] = []
        for _ in 0..<readerCount {
            let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            for pragma in ["PRAGMA busy_timeout=10000"] + tuning { _ = try await reader.query(pragma) }
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
