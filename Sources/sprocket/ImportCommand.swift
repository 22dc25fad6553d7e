import ArgumentParser
import Catalog
import Composition
import Foundation
import Synchronization
import ServiceKit
import Storage

/// `sprocket import parts|models|fitments FILE.csv`: loads a supplier's CSV file into the catalog.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a CSV file of parts, models or fitments into the catalog (upserts; bad rows are reported).",
        discussion: "The columns of each kind are in the README (\"Importing a catalog\"); samples in docs/samples/.")

    @Argument(help: "What the file holds: parts, models or fitments.")
    var kind: String

    @Argument(help: "The CSV file (UTF-8, a header row, RFC 4180 quoting).")
    var file: String

    @OptionGroup var options: SystemOptions

    @Option(help: "Distributed mode: the catalog service's own database (postgres:// URL or SQLite file).")
    var serviceDatabase: String?

    @Flag(help: "Print every refused row (by default the first 100, then a count).")
    var allErrors = false

    func validate() throws {
        guard ImportKind(rawValue: kind) != nil else {
            throw ValidationError("the kind must be parts, models or fitments")
        }
    }

    func run() async throws {
        guard let kind = ImportKind(rawValue: kind), let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file)")
        }
        let logger = options.makeLogger()
        let configuration = try options.configuration()
        let location =
            try serviceDatabase.map { try DatabaseLocation(parsing: $0) }
            ?? configuration.databaseLocation(for: CatalogService.name)
        let interactive = isatty(STDERR_FILENO) == 1
        let shown = ErrorPrinter(limit: allErrors ? Int.max : 100, interactive: interactive)
        let meter = ProgressMeter(interactive: interactive)
        let result = try await Database.with(location, logger: logger) { database in
            try await database.migrate(CatalogService.self, logger: logger)
            let store = CatalogStore(database: database, currency: configuration.settings.currency)
            return try await CatalogImporter(store: store).run(
                kind, bytes: [UInt8](data), rowError: { shown.print($0) }, progress: { meter.show($0) })
        }
        meter.finish()
        if shown.hidden > 0 { FileHandle.standardError.write(Data("… and \(shown.hidden) more refused rows\n".utf8)) }
        let seconds = (result.finishedAt ?? Date()).timeIntervalSince(result.startedAt)
        print(
            "\(kind.rawValue): \(result.rows) rows in \(String(format: "%.1f", seconds)) s "
                + "(\(Int(result.rowsPerSecond())) rows/s): \(result.created) created, \(result.updated) updated, "
                + "\(result.unchanged) unchanged, \(result.failed) refused")
        if let error = result.fileError {
            FileHandle.standardError.write(Data("sprocket import: \(file): \(error)\n".utf8))
            throw ExitCode(2)
        }
        if result.failed > 0 { throw ExitCode(1) }
    }
}

/// Prints refused rows to standard error, up to a limit.
private final class ErrorPrinter: Sendable {
    private let limit: Int
    private let prefix: String
    /// Rows printed, and rows left out past the limit.
    private let counts = Mutex((printed: 0, hidden: 0))

    var hidden: Int { counts.withLock { $0.hidden } }

    /// On a terminal, each line first clears the progress bar.
    init(limit: Int, interactive: Bool) {
        self.limit = limit
        self.prefix = interactive ? "\r\u{1B}[K" : ""
    }

    func print(_ error: ImportRowError) {
        counts.withLock { counts in
            guard counts.printed < limit else {
                counts.hidden += 1
                return
            }
            counts.printed += 1
            FileHandle.standardError.write(Data("\(prefix)line \(error.line): \(error.message)\n".utf8))
        }
    }
}

/// Shows an import's progress on standard error: a bar redrawn in place on a terminal, a plain line
/// every 5 seconds otherwise.
private final class ProgressMeter: Sendable {
    private let interactive: Bool
    /// When the last plain line was written, and whether a bar is on the terminal.
    private let state = Mutex((lastLine: Date(), drawn: false))

    init(interactive: Bool) { self.interactive = interactive }

    func show(_ progress: ImportProgress) {
        state.withLock { state in
            let now = Date()
            let fraction = progress.bytesTotal > 0 ? Double(progress.bytesRead) / Double(progress.bytesTotal) : 1
            let eta = progress.secondsLeft(now: now).map { "ETA \(Int($0.rounded())) s" } ?? ""
            let figures = "\(progress.rows) rows, \(Int(progress.rowsPerSecond(now: now))) rows/s \(eta)"
            if interactive {
                let width = 30
                let filled = Int((fraction * Double(width)).rounded(.down))
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                let percent = Int((fraction * 100).rounded(.down))
                FileHandle.standardError.write(Data("\r\u{1B}[K\(bar) \(percent)% \(figures)".utf8))
                state.drawn = true
            } else if now.timeIntervalSince(state.lastLine) >= 5 || progress.finishedAt != nil {
                state.lastLine = now
                let percent = Int((fraction * 100).rounded(.down))
                FileHandle.standardError.write(Data("import: \(percent)% \(figures)\n".utf8))
            }
        }
    }

    func finish() {
        state.withLock { if $0.drawn { FileHandle.standardError.write(Data("\n".utf8)) } }
    }
}
