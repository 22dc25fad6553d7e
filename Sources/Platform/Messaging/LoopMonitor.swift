import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Watches a process's background loops (``BackgroundLoop``) and names the ones that stall.
///
/// A loop is stalled when it has work waiting and has made no progress for `stallAfter`: its oldest
/// waiting item keeps ageing while nothing moves, whether the loop fails again and again or hangs.
/// `/health/ready` answers 503 with the stalled loops; run the monitor as a service of the group and it
/// logs a warning when a loop stalls, and again every `stallAfter` while the stall lasts.
public final class LoopMonitor: Service, Sendable {
    /// A loop that stalled.
    public struct Stall: Sendable, Equatable {
        public let loop: String
        /// How long the oldest waiting item has waited.
        public let oldestWaiting: Duration
        /// How long the loop has made no progress.
        public let noProgressFor: Duration
        public let lastError: String?
    }

    struct LoopState {
        var lastProgress = ContinuousClock.now
        var waitingSince: Date?
        var lastError: String?
        var warnedAt: ContinuousClock.Instant?
    }

    public let stallAfter: Duration
    private let logger: Logger
    private let loops = Mutex<[String: LoopState]>([:])

    public init(stallAfter: Duration = .seconds(30), logger: Logger) {
        self.stallAfter = stallAfter
        self.logger = logger
    }

    /// The handle `name`'s loop reports through.
    public func register(_ name: String) -> LoopProgress {
        loops.withLock { $0[name] = LoopState() }
        return LoopProgress(name: name, monitor: self)
    }

    func update(_ name: String, _ change: (inout LoopState) -> Void) {
        loops.withLock { loops in
            guard var state = loops[name] else { return }
            change(&state)
            loops[name] = state
        }
    }

    /// The loops stalled now, by name.
    public func stalls() -> [Stall] {
        let now = ContinuousClock.now
        let wallNow = Date()
        return loops.withLock { loops in
            loops.compactMap { name, state -> Stall? in
                guard let since = state.waitingSince, now - state.lastProgress >= stallAfter else { return nil }
                return Stall(
                    loop: name, oldestWaiting: .seconds(max(0, wallNow.timeIntervalSince(since))),
                    noProgressFor: now - state.lastProgress, lastError: state.lastError)
            }.sorted { $0.loop < $1.loop }
        }
    }

    /// Logs stalls until graceful shutdown: once when a loop stalls, then every `stallAfter` while it lasts.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                self.warnAboutStalls()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    func warnAboutStalls() {
        let now = ContinuousClock.now
        for stall in stalls() {
            let due = loops.withLock { loops -> Bool in
                guard var state = loops[stall.loop] else { return false }
                if let warned = state.warnedAt, now - warned < stallAfter, warned > state.lastProgress { return false }
                state.warnedAt = now
                loops[stall.loop] = state
                return true
            }
            guard due else { continue }
            logger.warning(
                "background loop stalled: work is waiting and nothing moves",
                metadata: [
                    "loop": "\(stall.loop)", "oldest_waiting_s": "\(stall.oldestWaiting.components.seconds)",
                    "no_progress_s": "\(stall.noProgressFor.components.seconds)",
                    "last_error": "\(stall.lastError ?? "-")",
                ])
        }
    }
}

/// How one loop tells its ``LoopMonitor`` what it is doing.
public struct LoopProgress: Sendable {
    public let name: String
    let monitor: LoopMonitor?

    /// A handle that reports to nobody (for a loop run without a monitor).
    public static func unmonitored(_ name: String) -> LoopProgress { LoopProgress(name: name, monitor: nil) }

    /// Work is waiting; the oldest item has waited since `since`.
    public func waiting(since: Date) {
        monitor?.update(name) { state in
            if since < state.waitingSince ?? .distantFuture { state.waitingSince = since }
        }
    }

    /// The loop moved work forward; what is still waiting will be reported again.
    public func progressed() {
        monitor?.update(name) { state in
            state.lastProgress = .now
            state.waitingSince = nil
            state.lastError = nil
        }
    }

    /// A pass failed with `error`.
    public func failed(_ error: any Error) {
        monitor?.update(name) { $0.lastError = String(describing: error) }
    }
}
