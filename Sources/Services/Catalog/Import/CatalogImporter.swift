import Foundation
import ServiceKit

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
    public static let maxKeptErrors = 1000

    let store: CatalogStore

    public init(store: CatalogStore) {
        self.store = store
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
                write: {
                    try await store.importParts(
                        $0.map { (line: $0.line, row: $0.row) }, now: now, categoryCache: categories)
                })
        case .models:
            try await load(
                &reader, header, &state, rowError, progress, map: { ImportRows.model($0, header, now: now) }, key: \.id,
                write: { try await store.importModels($0.map { (line: $0.line, model: $0.row) }) })
        case .fitments:
            try await load(
                &reader, header, &state, rowError, progress, map: { ImportRows.fitment($0, header) },
                key: { $0.modelId + "\u{0}" + $0.sku },
                write: { try await store.importFitments($0.map { (line: $0.line, fitment: $0.row) }) })
        }
        if let error = reader.error { state.fileError = ImportFileError(line: error.line, reason: error.reason) }
        state.bytesRead = bytes.count
        state.finishedAt = Date()
        await progress(state)
        return state
    }

    /// Reads records into batches; each batch is written while the next is read (one write at a time,
    /// in file order), so reading and the database use both cores.
    private func load<Row: Sendable>(
        _ reader: inout CSVReader, _ header: ImportHeader, _ state: inout ImportProgress,
        _ rowError: @Sendable (ImportRowError) -> Void, _ progress: @Sendable (ImportProgress) async -> Void,
        map: (CSVReader.Record) -> Result<Row, ImportRowError>, key: (Row) -> String,
        write: @escaping @Sendable ([(line: Int, row: Row)]) async throws -> ImportBatchOutcome
    ) async throws {
        let batchSize = Self.batchSize(header.kind)
        var batch: [(line: Int, row: Row)] = []
        var keys: Set<String> = []
        var pending: (task: Task<ImportBatchOutcome, any Error>, offset: Int)?
        func refuse(_ error: ImportRowError, _ state: inout ImportProgress) {
            state.failed += 1
            if state.errors.count < Self.maxKeptErrors { state.errors.append(error) }
            rowError(error)
        }
        func settle(_ state: inout ImportProgress) async throws {
            guard let (task, offset) = pending else { return }
            pending = nil
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
            try await settle(&state)
            let rows = batch
            pending = (Task { try await write(rows) }, reader.offset)
            batch.removeAll(keepingCapacity: true)
            keys.removeAll(keepingCapacity: true)
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
                    if keys.contains(key(row)) { try await flush(&state) }
                    keys.insert(key(row))
                    batch.append((record.line, row))
                    if batch.count >= batchSize { try await flush(&state) }
                }
            }
            try await flush(&state)
            try await settle(&state)
        } catch {
            // A write failed: wait for the one in flight before giving up, so nothing runs on.
            _ = try? await pending?.task.value
            throw error
        }
    }
}
