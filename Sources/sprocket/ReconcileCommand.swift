import ArgumentParser
import Composition
import Foundation

/// `sprocket reconcile`: after a fault, does every service's data agree with itself? (`scripts/faults`)
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Check every service's invariants: outbox drained, no key in progress, the module's own.",
        discussion: """
            With --sizes it also lists every table's rows (and bytes where the engine tells) and, for the
            tables retention prunes (outbox, inbox, idempotency keys), the age of the oldest row against its
            window, with a warning when the sweep falls behind.
            """)

    @OptionGroup var options: SystemOptions
    @OptionGroup var scope: EventScopeOptions

    @Option(help: "Seconds to keep checking until everything is clean (the outbox may still be draining).")
    var wait: Int = 0

    @Flag(help: "List every table's size and how far behind retention is.")
    var sizes = false

    func validate() throws {
        guard (0...3600).contains(wait) else { throw ValidationError("--wait must be 0 to 3600 seconds") }
    }

    func run() async throws {
        let (reports, lastChange, tables) = try await scope.with(options) { operations in
            let started = Date()
            let deadline = started.addingTimeInterval(TimeInterval(wait))
            var previous: [String] = []
            var lastChange = started
            while true {
                var reports: [Reconciliation] = []
                for scope in operations.scopes {
                    reports.append(try await Reconciliation.check(scope.service, scope.database))
                }
                let summaries = reports.map(\.summary)
                if summaries != previous { lastChange = Date() }
                previous = summaries
                if reports.allSatisfy(\.isClean) || Date() >= deadline {
                    var tables: [TableReport] = []
                    if sizes {
                        for scope in operations.scopes {
                            tables.append(try await TableReport.read(scope.service, scope.database))
                        }
                    }
                    return (reports, lastChange, tables)
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        for report in reports { print(report.summary) }
        for table in tables { table.lines.forEach { print($0) } }
        let behind = tables.flatMap { table in table.behind.map { "\(table.service.rawValue).\($0)" } }
        if !behind.isEmpty { print("reconcile: WARNING: retention is behind in \(behind.joined(separator: ", "))") }
        guard reports.allSatisfy(\.isClean) else {
            // A backlog that still moves is work behind; one that has not moved for seconds is a stall.
            if wait > 0 {
                let still = Int(Date().timeIntervalSince(lastChange).rounded())
                print(
                    still < 5
                        ? "reconcile: still moving (the counts changed \(still) s ago): a backlog, not a stall"
                        : "reconcile: unchanged for the last \(still) s: stalled")
            }
            throw ExitCode(1)
        }
    }
}
