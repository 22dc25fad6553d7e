import Logging
import ServiceLifecycle
import UnixSignals

/// How a process stops when it is told to.
public struct ShutdownPlan: Sendable, Equatable {
    /// After SIGTERM, how long the process keeps serving while `/health/ready` answers 503 (so that
    /// nothing routes new work to it any more) before it stops listening. SIGINT (Ctrl-C) skips it.
    public var drainDelay: Duration = .seconds(2)
    /// Then, how long the requests and event batches in flight may take to finish before the rest is
    /// cancelled.
    public var grace: Duration = .seconds(20)

    public init(drainDelay: Duration = .seconds(2), grace: Duration = .seconds(20)) {
        self.drainDelay = drainDelay
        self.grace = grace
    }
}

/// Runs a process's service (the HTTP application with everything in its group) until SIGTERM or
/// SIGINT, then stops it in order: readiness 503 at once (``Drain``), the drain delay (SIGTERM only)
/// while it still serves, then graceful shutdown, in which the server stops accepting connections and
/// finishes the requests under way, then the relays and consumers finish their batches, then the
/// databases close. What is not done after the grace period is cancelled. A second signal skips the
/// rest of the delay.
public enum GracefulRun {
    public static func run(_ service: some Service, drain: Drain, plan: ShutdownPlan, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(services: [.init(service: service)], logger: logger)
        configuration.maximumGracefulShutdownDuration = plan.grace
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        // Trapped before anything starts: a SIGTERM that came once the server was up but before a task had
        // trapped it ended the process at once, undrained (seen under load in CI).
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                var delay: Task<Void, Never>?
                for await signal in signals {
                    if drain.isDraining {
                        delay?.cancel()
                        continue
                    }
                    drain.begin()
                    let wait = signal == .sigterm ? plan.drainDelay : .zero
                    logger.notice(
                        "draining: not ready, then stopping",
                        metadata: [
                            "signal": "\(signal)", "drainDelaySeconds": "\(wait.components.seconds)",
                            "graceSeconds": "\(plan.grace.components.seconds)",
                        ])
                    delay = Task {
                        try? await Task.sleep(for: wait)
                        await group.triggerGracefulShutdown()
                    }
                }
            }
            try await tasks.next()
            tasks.cancelAll()
        }
    }
}
