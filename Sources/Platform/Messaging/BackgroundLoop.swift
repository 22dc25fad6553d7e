import Logging
import ServiceLifecycle
import Storage
import Synchronization

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
    private let passIsAWait: Bool

    /// `passIsAWait`: each pass waits for something that may never come (a PostgreSQL `LISTEN`): graceful
    /// shutdown cancels it rather than waiting for it to end.
    public init(
        _ name: String, monitor: LoopMonitor?, wakeUp: WakeSignal? = nil, poll: Duration, logger: Logger,
        passIsAWait: Bool = false, pass: @escaping Pass
    ) {
        self.passIsAWait = passIsAWait
        self.name = name
        self.monitor = monitor
        self.wakeUp = wakeUp
        self.poll = poll
        self.logger = logger
        self.pass = pass
    }

    public func run() async throws {
        // Its write transactions (and its children's) wait for requests' (`WritePriority`).
        // It runs on the background writer threads, not the Swift pool's: the pool's two threads then
        // answer requests without waiting behind a consumer's decoding or a relay's pass.
        try await withTaskExecutorPreference(WritePriority.background.threads) {
            try await WritePriority.$current.withValue(.background) { try await runPasses() }
        }
    }

    private func runPasses() async throws {
        let progress = monitor?.register(name) ?? .unmonitored(name)
        // Graceful shutdown lets the pass under way finish (a batch is handled and acknowledged whole),
        // then ends the loop; cancellation (after the shutdown's grace period) stops it wherever it is.
        let stop = StopRequest(wakeUp: wakeUp)
        await withGracefulShutdownHandler {
            var failures = 0
            while !stop.isRequested, !Task.isCancelled {
                do {
                    let outcome =
                        passIsAWait
                        ? try await cancelWhenGracefulShutdown { try await pass(progress) } : try await pass(progress)
                    failures = 0
                    switch outcome {
                    case .worked:
                        progress.progressed()
                    case .idle:
                        progress.progressed()
                        if !stop.isRequested { await (wakeUp ?? stop.own).wait(upTo: poll) }
                    case .noProgress:
                        break
                    }
                } catch {
                    if Task.isCancelled || stop.isRequested { break }
                    failures += 1
                    progress.failed(error)
                    if failures == 1 || failures.isMultiple(of: 20) {
                        logger.warning(
                            "background loop failed; retrying",
                            metadata: ["loop": "\(name)", "error": "\(error)", "failures": "\(failures)"])
                    }
                    await stop.own.wait(upTo: .milliseconds(min(5_000, 50 << min(failures, 7))))
                }
            }
        } onGracefulShutdown: {
            stop.request()
        }
    }
}

/// A loop's graceful shutdown: remembered, and its sleeps woken (`own` for the back-off after a failure,
/// which new work must not cut short).
private final class StopRequest: Sendable {
    let own = WakeSignal()
    private let wakeUp: WakeSignal?
    private let requested = Atomic<Bool>(false)

    init(wakeUp: WakeSignal?) { self.wakeUp = wakeUp }

    var isRequested: Bool { requested.load(ordering: .acquiring) }

    func request() {
        requested.store(true, ordering: .releasing)
        own.signal()
        wakeUp?.signal()
    }
}
