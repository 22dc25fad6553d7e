import Foundation
import SQLKit
import ServiceKit
import Storage

/// An import started over HTTP, as stored while it runs and after.
public struct ImportJob: Sendable, Equatable {
    public enum Status: String, Sendable { case running, finished, failed }

    public var id: String
    public var status: Status
    public var progress: ImportProgress
}

/// Import jobs: a row per upload, updated after every batch. A job whose process died stays `running`
/// in its row; it is shown as `failed` once it has not moved for ``staleAfter``.
extension CatalogStore {
    static let staleAfter: TimeInterval = 120
    /// The most refused rows a job keeps.
    static let keptJobErrors = 100

    /// Records a new running job.
    public func startImportJob(_ kind: ImportKind, now: Date = Date()) async throws -> ImportJob {
        let job = ImportJob(id: UUIDv7.make(), status: .running, progress: ImportProgress(kind: kind, startedAt: now))
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO import_jobs (id, kind, status, rows_read, created, updated, unchanged, failed, errors,
                    started_at, touched_at)
                VALUES (\(bind: job.id), \(bind: kind.rawValue), 'running', 0, 0, 0, 0, 0, '[]',
                    \(bind: now.microsecondsSince1970), \(bind: now.microsecondsSince1970))
                """
            ).run()
        }
        return job
    }

    /// Stores how far job `id` has got; `finished` or `failed` once `progress` has ended.
    public func recordImportProgress(_ id: String, _ progress: ImportProgress, failed: Bool = false) async throws {
        let status: ImportJob.Status =
            failed || progress.fileError != nil ? .failed : progress.finishedAt == nil ? .running : .finished
        let errors = progress.errors.prefix(Self.keptJobErrors).map { ["line": "\($0.line)", "message": $0.message] }
        let errorsText = String(decoding: try JSONEncoder().encode(errors), as: UTF8.self)
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE import_jobs SET status = \(bind: status.rawValue), rows_read = \(bind: progress.rows),
                    created = \(bind: progress.created), updated = \(bind: progress.updated),
                    unchanged = \(bind: progress.unchanged), failed = \(bind: progress.failed), errors = \(bind: errorsText),
                    file_error = \(bind: progress.fileError?.description),
                    finished_at = \(bind: progress.finishedAt?.microsecondsSince1970),
                    touched_at = \(bind: Date().microsecondsSince1970)
                WHERE id = \(bind: id)
                """
            ).run()
        }
    }

    /// Job `id`, or `nil`.
    public func importJob(_ id: String, now: Date = Date()) async throws -> ImportJob? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM import_jobs WHERE id = \(bind: id)").first() else {
                return nil
            }
            guard let kind = ImportKind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
            var progress = ImportProgress(
                kind: kind, startedAt: Date(microsecondsSince1970: try row.decode(column: "started_at", as: Int64.self))
            )
            progress.rows = try row.decode(column: "rows_read", as: Int.self)
            progress.created = try row.decode(column: "created", as: Int.self)
            progress.updated = try row.decode(column: "updated", as: Int.self)
            progress.unchanged = try row.decode(column: "unchanged", as: Int.self)
            progress.failed = try row.decode(column: "failed", as: Int.self)
            progress.finishedAt = try row.decode(column: "finished_at", as: Int64?.self).map(
                Date.init(microsecondsSince1970:))
            let errors = try JSONDecoder().decode(
                [[String: String]].self, from: Data(try row.decode(column: "errors", as: String.self).utf8))
            progress.errors = errors.map {
                ImportRowError(line: Int($0["line"] ?? "") ?? 0, reasons: [$0["message"] ?? ""])
            }
            var status = ImportJob.Status(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed
            if let fileError = try row.decode(column: "file_error", as: String?.self) {
                progress.fileError = ImportFileError(line: 0, reason: fileError)
            }
            let touched = Date(microsecondsSince1970: try row.decode(column: "touched_at", as: Int64.self))
            if status == .running, now.timeIntervalSince(touched) > Self.staleAfter {
                status = .failed
                progress.fileError = ImportFileError(
                    line: 0, reason: "the import stopped (its process ended) and did not finish")
            }
            return ImportJob(id: id, status: status, progress: progress)
        }
    }
}
