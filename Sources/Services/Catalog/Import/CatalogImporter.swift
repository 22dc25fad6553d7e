import Foundation
import ServiceKit
import Storage

/// How far an import has got.
public struct ImportProgress: Sendable, Equatable {
    public var kind: ImportKind
    /// Rows read (the header not counted).
    public var rows = 0
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var failed = 0
    public var bytesRead = 0
    public var bytesTotal = 0
    /// The first ``CatalogImporter/maxKeptErrors`` refused rows.
    public var errors: [ImportRowError] = []
    /// Why the file could not be read to its end; the rows before it stay imported.
    public var fileError: ImportFileError?
    public var startedAt: Date
    public var finishedAt: Date?

    public init(kind: ImportKind, startedAt: Date) {
        self.kind = kind
        self.startedAt = startedAt
    }

    /// Rows per second so far.
    public func rowsPerSecond(now: Date = Date()) -> Double {
        let seconds = (finishedAt ?? now).timeIntervalSince(startedAt)
        return seconds > 0 ? Double(rows) / seconds : 0
    }

    /// Seconds until the end at the current pace (by bytes read), if it can be told.
    public func secondsLeft(now: Date = Date()) -> Double? {
        let seconds = now.timeIntervalSince(startedAt)
        guard bytesRead > 0, bytesTotal > bytesRead, seconds > 0 else { return nil }
        return seconds * Double(bytesTotal - bytesRead) / Double(bytesRead)
    }
}

/// Imports a CSV file of parts, models or fitments into the catalog: reads it record by record, turns
/// rows into validated values (``ImportRows``), and upserts them in batches (``batchSize(_:)``), one
/// transaction each. A bad row is reported and skipped; a malformed file stops at the bad record.
public struct CatalogImporter: Sendable {
    /// Rows per batch (one transaction): fitments are small and land in an index at random places, so
    /// larger batches write each touched page once for more rows.
    public static func batchSize(_ kind: ImportKind) -> Int { kind == .fitments ? 50_000 : 1000 }

    /// Batches written at once: on PostgreSQL three of parts or fitments, each in its own transaction and
    /// server process; otherwise one (SQLite has one writer). A batch waits for those in flight when it
    /// writes a key they write or read, or reads one they write (a kit's components, a supersession's
    /// successor): it then sees them committed, as in file order. Supersessions are checked one batch at
    /// a time (see ``CatalogStore/importSupersessions(_:now:in:)``).
    static func concurrentBatches(_ kind: ImportKind, _ engine: Engine) -> Int {
        kind != .models && engine == .postgres ? 3 : 1
    }
    public static let maxKeptErrors = 1000

    let store: CatalogStore
    /// Rows per batch instead of ``batchSize(_:)`` (tests use small batches).
    let rowsPerBatch: Int?

    public init(store: CatalogStore, rowsPerBatch: Int? = nil) {
        self.store = store
        self.rowsPerBatch = rowsPerBatch.map { max(1, $0) }
    }

    /// Checks that `bytes` start with a header row a `kind` file may have, without importing anything.
    public static func checkHeader(_ kind: ImportKind, bytes: [UInt8]) throws(ImportFileError) {
        var reader = CSVReader(bytes: bytes)
        _ = try readHeader(&reader, kind)
    }

    /// The header row `reader` starts with, read as a `kind` file's.
    private static func readHeader(_ reader: inout CSVReader, _ kind: ImportKind) throws(ImportFileError)
        -> ImportHeader
    {
        guard let first = reader.next() else {
            throw reader.error.map { ImportFileError(line: $0.line, reason: $0.reason) }
                ?? ImportFileError(line: 1, reason: "the file is empty: it needs a header row")
        }
        return try ImportHeader(first, kind: kind)
    }

    /// Imports `bytes` (a CSV file with a header row) as `kind`. `rowError` hears every refused row;
    /// `progress` is called after every batch and at the end.
    public func run(
        _ kind: ImportKind, bytes: [UInt8], rowError: @Sendable (ImportRowError) -> Void = { _ in },
        progress: @Sendable (ImportProgress) async -> Void = { _ in }
    ) async throws -> ImportProgress {
        var state = ImportProgress(kind: kind, startedAt: Date())
        state.bytesTotal = bytes.count
        var reader = CSVReader(bytes: bytes)
        let header: ImportHeader
        do {
            header = try Self.readHeader(&reader, kind)
        } catch {
            state.fileError = error
            state.finishedAt = Date()
            await progress(state)
            return state
        }
        let now = Date.storageNow
        let store = store
        switch kind {
        case .parts:
            let categories = ImportCategoryCache()
            try await load(
                &reader, header, &state, rowError, progress,
                map: { ImportRows.part($0, header, currency: store.currency, now: now) }, key: \.part.sku,
                references: { $0.part.components.map(\.sku) + ($0.supersededBy.map { [$0] } ?? []) },
                write: {
                    try await store.importParts(
                        $0.map { (line: $0.line, row: $0.row) }, now: now, categoryCache: categories)
                })
        case .models:
            try await load(
                &reader, header, &state, rowError, progress, map: { ImportRows.model($0, header, now: now) }, key: \.id,
                write: { try await store.importModels($0.map { (line: $0.line, model: $0.row) }) })
        case .fitments:
            let models = ImportModelCache()
            try await load(
                &reader, header, &state, rowError, progress, map: { ImportRows.fitment($0, header) },
                key: { $0.modelId + "\u{0}" + $0.sku },
                write: {
                    try await store.importFitments($0.map { (line: $0.line, fitment: $0.row) }, modelCache: models)
                })
        }
        if let error = reader.error { state.fileError = ImportFileError(line: error.line, reason: error.reason) }
        state.bytesRead = bytes.count
        state.finishedAt = Date()
        await progress(state)
        return state
    }

    /// Reads records into batches; each batch is written while the next is read (in file order; up to
    /// ``concurrentBatches(_:_:)`` at once, a batch with a key still being written waits for it), so
    /// reading and the database use both cores.
    private func load<Row: Sendable>(
        _ reader: inout CSVReader, _ header: ImportHeader, _ state: inout ImportProgress,
        _ rowError: @Sendable (ImportRowError) -> Void, _ progress: @Sendable (ImportProgress) async -> Void,
        map: (CSVReader.Record) -> Result<Row, ImportRowError>, key: (Row) -> String,
        references: (Row) -> [String] = { _ in [] },
        write: @escaping @Sendable ([(line: Int, row: Row)]) async throws -> ImportBatchOutcome
    ) async throws {
        let batchSize = rowsPerBatch ?? Self.batchSize(header.kind)
        let concurrent = Self.concurrentBatches(header.kind, store.database.engine)
        var batch: [(line: Int, row: Row)] = []
        var keys: Set<String> = []
        var referenced: Set<String> = []
        var sharesAKeyInFlight = false
        var pending:
            [(task: Task<ImportBatchOutcome, any Error>, offset: Int, keys: Set<String>, referenced: Set<String>)] =
                []
        func refuse(_ error: ImportRowError, _ state: inout ImportProgress) {
            state.failed += 1
            if state.errors.count < Self.maxKeptErrors { state.errors.append(error) }
            rowError(error)
        }
        /// Waits for the oldest batch in flight and counts what it did.
        func settle(_ state: inout ImportProgress) async throws {
            guard !pending.isEmpty else { return }
            let (task, offset, _, _) = pending.removeFirst()
            let outcome = try await task.value
            state.created += outcome.created
            state.updated += outcome.updated
            state.unchanged += outcome.unchanged
            for error in outcome.errors { refuse(error, &state) }
            state.errors.sort { $0.line < $1.line }
            state.bytesRead = offset
            await progress(state)
        }
        func flush(_ state: inout ImportProgress) async throws {
            guard !batch.isEmpty else { return }
            while pending.count >= concurrent || (sharesAKeyInFlight && !pending.isEmpty) { try await settle(&state) }
            let rows = batch
            pending.append(
                (Task { try await write(rows) }, reader.offset, concurrent > 1 ? keys : [], referenced))
            batch.removeAll(keepingCapacity: true)
            keys.removeAll(keepingCapacity: true)
            referenced.removeAll(keepingCapacity: true)
            sharesAKeyInFlight = false
        }
        do {
            while let record = reader.next() {
                state.rows += 1
                guard record.fields.count <= header.columnCount else {
                    refuse(
                        ImportRowError(
                            line: record.line,
                            reasons: ["has \(record.fields.count) fields; the header has \(header.columnCount)"]),
                        &state)
                    continue
                }
                guard !record.fields.contains(where: { $0.utf8.contains(0) }) else {
                    refuse(ImportRowError(line: record.line, reasons: ["contains a NUL character"]), &state)
                    continue
                }
                switch map(record) {
                case .failure(let error): refuse(error, &state)
                case .success(let row):
                    // The same key twice in one statement is not allowed: the later row goes in a new batch.
                    let key = key(row)
                    if keys.contains(key) { try await flush(&state) }
                    keys.insert(key)
                    if concurrent > 1 {
                        let reads = references(row)
                        referenced.formUnion(reads)
                        sharesAKeyInFlight =
                            sharesAKeyInFlight
                            || pending.contains { batch in
                                batch.keys.contains(key) || batch.referenced.contains(key)
                                    || reads.contains(where: batch.keys.contains)
                            }
                    }
                    batch.append((record.line, row))
                    if batch.count >= batchSize { try await flush(&state) }
                }
            }
            try await flush(&state)
            while !pending.isEmpty { try await settle(&state) }
        } catch {
            // A write failed: wait for those in flight before giving up, so nothing runs on.
            for batch in pending { _ = try? await batch.task.value }
            throw error
        }
    }
}
