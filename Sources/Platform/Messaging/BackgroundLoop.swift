import Logging
import ServiceLifecycle
import Storage

/// What one pass of a ``BackgroundLoop`` found.
public enum LoopPass: Sendable {
    /// It moved work forward: run the next pass at once.
    case worked
    /// Nothing was waiting: wait for a wake-up (or the safety poll).
    case idle
    /// Work is waiting and none of it moved (each item failed; the items themselves say when to try
    /// again): run the next pass at once, and count no progress.
    case noProgress
}

/// The platform's one way to run background work (outbox relays, event consumers, and the timers and
/// sagas later services add): passes, run until graceful shutdown.
///
/// A pass that throws is logged and retried with back-off (50 ms doubling to 5 s), forever: a loop
/// never dies of an error. An idle loop sleeps until `wakeUp` is signalled or `poll` passes, so it
/// costs nothing while there is nothing to do. Progress and waiting work go to the ``LoopMonitor``,
/// which reports a loop that stalls.
public struct BackgroundLoop: Service {
    public typealias Pass = @Sendable (LoopProgress) async throws -> LoopPass

    private let name: String
    private let monitor: LoopMonitor?
    private let wakeUp: WakeSignal?
    private let poll: Duration
    private let logger: Logger
    private let pass: Pass

    public init(
        _ name: String, monitor: LoopMonitor?, wakeUp: WakeSignal? = nil, poll: Duration, logger: Logger,
        pass: @escaping Pass
    ) {
        self.name = name
        self.monitor = monitor
        self.wakeUp = wakeUp
        self.poll = poll
        self.logger = logger
        self.pass = pass
    }

    public func run() async throws {
        let progress = monitor?.register(name) ?? .unmonitored(name)
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    let outcome = try await pass(progress)
                    failures = 0
                    switch outcome {
                    case .worked:
                        progress.progressed()
                    case .idle:
                        progress.progressed()
                        if let wakeUp { await wakeUp.wait(upTo: poll) } else { try? await Task.sleep(for: poll) }
                    case .noProgress:
                        break
                    }
                } catch {
                    if Task.isCancelled { break }
                    failures += 1
                    progress.failed(error)
                    if failures == 1 || failures.isMultiple(of: 20) {
                        logger.warning(
                            "background loop failed; retrying",
                            metadata: ["loop": "\(name)", "error": "\(error)", "failures": "\(failures)"])
                    }
                    try? await Task.sleep(for: .milliseconds(min(5_000, 50 << min(failures, 7))))
                }
            }
        }
    }
}
