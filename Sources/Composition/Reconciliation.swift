import Foundation
import Messaging
import ServiceKit
import Storage

/// What a service's data says after a fault: the platform's invariants (the outbox drained, no
/// idempotency key left in progress) and the module's own (``ServiceModule/reconcile(_:)``).
public struct Reconciliation: Sendable {
    public let service: ServiceName
    /// Outbox rows not yet published (parked ones included).
    public let outboxWaiting: Int
    /// Idempotency keys whose request never finished.
    public let keysInProgress: Int
    /// The module's own findings.
    public let problems: [String]

    public var isClean: Bool { outboxWaiting == 0 && keysInProgress == 0 && problems.isEmpty }

    /// Checks `service`'s `database`.
    public static func check(_ service: ServiceName, _ database: Database) async throws -> Reconciliation {
        let running = try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM idempotency_keys WHERE state = 'running'").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
        return Reconciliation(
            service: service, outboxWaiting: try await Outbox.pendingCount(in: database), keysInProgress: running,
            problems: try await service.module.reconcile(database))
    }

    public var summary: String {
        let state = isClean ? "ok" : "NOT CLEAN"
        let findings = problems.isEmpty ? "" : "; " + problems.joined(separator: "; ")
        return
            "\(service.rawValue): \(state) (outbox waiting \(outboxWaiting), keys in progress \(keysInProgress)\(findings))"
    }
}
