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
/// rows into validated values (``ImportRows``), and upserts them in batches of ``batchSize``, one
/// transaction each. A bad row is reported and skipped; a malformed file stops at the bad record.
public struct CatalogImporter: Sendable {
    public static let batchSize = 1000
    public static let maxKeptErrors = 1000

    let store: CatalogStore

    public init(store: CatalogStore) {
        self.store = store
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
        guard let first = reader.next() else {
            state.fileError =
                reader.error.map { ImportFileError(line: $0.line, reason: $0.reason) }
                ?? ImportFileError(line: 1, reason: "the file is empty: it needs a header row")
            state.finishedAt = Date()
            await progress(state)
            return state
        }
        let header: ImportHeader
        do {
            header = try ImportHeader(first, kind: kind)
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
            try await load(
                &reader, header, &state, rowError, progress,
                map: { ImportRows.part($0, header, currency: store.currency, now: now) }, key: \.part.sku,
                write: { try await store.importParts($0.map { (line: $0.line, row: $0.row) }, now: now) })
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

    private func load<Row>(
        _ reader: inout CSVReader, _ header: ImportHeader, _ state: inout ImportProgress,
        _ rowError: @Sendable (ImportRowError) -> Void, _ progress: @Sendable (ImportProgress) async -> Void,
        map: (CSVReader.Record) -> Result<Row, ImportRowError>, key: (Row) -> String,
        write: ([(line: Int, row: Row)]) async throws -> ImportBatchOutcome
    ) async throws {
        var batch: [(line: Int, row: Row)] = []
        var keys: Set<String> = []
        func refuse(_ error: ImportRowError, _ state: inout ImportProgress) {
            state.failed += 1
            if state.errors.count < Self.maxKeptErrors { state.errors.append(error) }
            rowError(error)
        }
        func flush(_ state: inout ImportProgress) async throws {
            guard !batch.isEmpty else { return }
            let outcome = try await write(batch)
            state.created += outcome.created
            state.updated += outcome.updated
            state.unchanged += outcome.unchanged
            for error in outcome.errors { refuse(error, &state) }
            state.errors.sort { $0.line < $1.line }
            batch.removeAll(keepingCapacity: true)
            keys.removeAll(keepingCapacity: true)
            state.bytesRead = reader.offset
            await progress(state)
        }
        while let record = reader.next() {
            state.rows += 1
            guard record.fields.count <= header.columnCount else {
                refuse(
                    ImportRowError(
                        line: record.line,
                        reasons: ["has \(record.fields.count) fields; the header has \(header.columnCount)"]), &state)
                continue
            }
            switch map(record) {
            case .failure(let error): refuse(error, &state)
            case .success(let row):
                // The same key twice in one statement is not allowed: the later row goes in a new batch.
                if keys.contains(key(row)) { try await flush(&state) }
                keys.insert(key(row))
                batch.append((record.line, row))
                if batch.count >= Self.batchSize { try await flush(&state) }
            }
        }
        try await flush(&state)
    }
}
