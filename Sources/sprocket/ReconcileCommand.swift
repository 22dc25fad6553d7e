import ArgumentParser
import Composition
import Foundation

/// `sprocket reconcile`: after a fault, does every service's data agree with itself? (`scripts/faults`)
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Check every service's invariants: outbox drained, no key in progress, the module's own.")

    @OptionGroup var options: SystemOptions
    @OptionGroup var scope: EventScopeOptions

    @Option(help: "Seconds to keep checking until everything is clean (the outbox may still be draining).")
    var wait: Int = 0

    func validate() throws {
        guard (0...3600).contains(wait) else { throw ValidationError("--wait must be 0 to 3600 seconds") }
    }

    func run() async throws {
        let (reports, lastChange) = try await scope.with(options) { operations in
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
                if reports.allSatisfy(\.isClean) || Date() >= deadline { return (reports, lastChange) }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        for report in reports { print(report.summary) }
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
