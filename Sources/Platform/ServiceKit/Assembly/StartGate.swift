import ServiceLifecycle
import Synchronization

/// Opens once a process has finished starting (migrations applied, services prepared): background
/// services of the group wait for it, so that none touches a table before it exists.
///
/// A service group starts its services together; the start-up work runs in the HTTP server's
/// `beforeServerStarts`, before it accepts requests, and opens the gate when it is done.
public final class StartGate: Sendable {
    private let isOpen = Atomic<Bool>(false)

    public init() {}

    /// Lets every waiting service run.
    public func open() { isOpen.store(true, ordering: .releasing) }

    /// Whether the process has started.
    public var isOpened: Bool { isOpen.load(ordering: .acquiring) }

    /// Waits until the gate opens; returns `false` when the task is cancelled or the group shuts down
    /// first.
    public func wait() async -> Bool {
        await cancelWhenGracefulShutdown {
            while !self.isOpened {
                do { try await Task.sleep(for: .milliseconds(10)) } catch { return false }
            }
            return true
        }
    }

    /// `service`, run once the gate opens (and not at all when the group stops first).
    public func guarding(_ service: any Service) -> any Service { Gated(gate: self, service: service) }

    private struct Gated: Service {
        let gate: StartGate
        let service: any Service

        func run() async throws {
            guard await gate.wait() else { return }
            try await service.run()
        }
    }
}
