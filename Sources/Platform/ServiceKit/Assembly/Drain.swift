import Synchronization

/// Whether the process has been told to stop. A draining process still serves every request that
/// reaches it, but `/health/ready` answers 503, so that load balancers and the gateway's probes send new
/// work to other replicas before it stops listening.
public final class Drain: Sendable {
    private let started = Atomic<Bool>(false)

    public init() {}

    /// Marks the process as draining (once; later calls change nothing).
    public func begin() { started.store(true, ordering: .releasing) }

    public var isDraining: Bool { started.load(ordering: .acquiring) }
}
