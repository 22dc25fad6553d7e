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
        let reports = try await scope.with(options) { operations in
            let deadline = Date().addingTimeInterval(TimeInterval(wait))
            while true {
                var reports: [Reconciliation] = []
                for scope in operations.scopes {
                    reports.append(try await Reconciliation.check(scope.service, scope.database))
                }
                if reports.allSatisfy(\.isClean) || Date() >= deadline { return reports }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        for report in reports { print(report.summary) }
        if !reports.allSatisfy(\.isClean) { throw ExitCode(1) }
    }
}
