import CatalogAPI
import Foundation
import Logging
import OpenAPIRuntime
import ServiceKit

/// CSV uploads: the file is read into memory (at most ``BodyLimits/upload``) and imported in the
/// background; the job's row shows the progress.
extension CatalogHandler {
    func createImport(_ input: Operations.CreateImport.Input) async throws -> Operations.CreateImport.Output {
        _ = try await authenticator.require(.admin)
        guard case .csv(let body) = input.body else { throw Problem.malformed("Send the file as text/csv.") }
        guard let kind = ImportKind(rawValue: input.query.kind.rawValue) else {
            throw Problem.malformed("kind must be parts, models or fitments.")
        }
        let bytes: [UInt8]
        do {
            bytes = try await [UInt8](collecting: body, upTo: BodyLimits.upload)
        } catch {
            throw Problem(
                status: .contentTooLarge, code: "catalog.import_too_large", title: "Upload too large",
                detail:
                    "An upload holds at most \(BodyLimits.upload >> 20) MiB; import larger files with `sprocket import`."
            )
        }
        do {
            try CatalogImporter.checkHeader(kind, bytes: bytes)
        } catch {
            throw Problem.conflict(
                "catalog.import_unreadable", "This is not a \(kind.rawValue) file: \(error.description).")
        }
        let job = try await store.startImportJob(kind)
        let store = store
        let logger = logger
        Task.detached {
            do {
                _ = try await CatalogImporter(store: store).run(
                    kind, bytes: bytes,
                    progress: { progress in try? await store.recordImportProgress(job.id, progress) })
            } catch {
                logger.error("import failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
                var progress = (try? await store.importJob(job.id))?.progress ?? job.progress
                progress.finishedAt = Date()
                try? await store.recordImportProgress(job.id, progress, failed: true)
            }
        }
        return .accepted(.init(body: .json(Self.map(job))))
    }

    func getImport(_ input: Operations.GetImport.Input) async throws -> Operations.GetImport.Output {
        _ = try await authenticator.require(.admin)
        guard let job = try await store.importJob(input.path.importId) else {
            throw Problem.notFound("catalog.import_not_found", "No import \(input.path.importId).")
        }
        return .ok(.init(body: .json(Self.map(job))))
    }

    static func map(_ kind: ImportKind) -> Components.Schemas.ImportKind {
        switch kind {
        case .parts: .parts
        case .models: .models
        case .fitments: .fitments
        }
    }

    static func map(_ status: ImportJob.Status) -> Components.Schemas.ImportJob.StatusPayload {
        switch status {
        case .running: .running
        case .finished: .finished
        case .failed: .failed
        }
    }

    static func map(_ job: ImportJob) -> Components.Schemas.ImportJob {
        let progress = job.progress
        return Components.Schemas.ImportJob(
            id: job.id, kind: map(progress.kind), status: map(job.status),
            rows: progress.rows, created: progress.created, updated: progress.updated, unchanged: progress.unchanged,
            failed: progress.failed,
            errors: progress.errors.map { .init(line: $0.line, message: $0.message) }
                + (progress.fileError.map { [.init(line: $0.line, message: "the file: \($0.reason)")] } ?? []),
            rowsPerSecond: progress.rows > 0 ? progress.rowsPerSecond() : nil, startedAt: progress.startedAt,
            finishedAt: progress.finishedAt)
    }
}
