import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix
import ServiceKit
import Synchronization

/// bcrypt, run on NIO's blocking thread pool so hashing never stalls the request threads.
///
/// At most `concurrency` hashes run at once (default: half the cores, at least one), so the pool
/// always keeps threads for the SQLite calls that share it; at most `queueLimit` more wait, and
/// beyond that a request gets 503 `auth.busy` with `Retry-After` instead of queueing without end.
public struct PasswordHasher: Sendable {
    /// The bcrypt cost (work factor): 12 in production; tests may lower it.
    public let cost: UInt8
    private let slots: HashSlots

    public init(
        cost: UInt8 = 12, concurrency: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2), queueLimit: Int = 64
    ) {
        self.cost = cost
        self.slots = HashSlots(concurrency: concurrency, queueLimit: queueLimit)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        let input = Self.input(password)
        return try await slots.run { try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(input, cost: cost) } }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        let input = Self.input(password)
        return try await slots.run { try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(input, hash: hash) } }
    }

    /// What bcrypt sees: the password itself up to its 72-byte limit, beyond that a SHA-256 digest of it,
    /// so that long passphrases are neither refused nor silently cut.
    static func input(_ password: String) -> String {
        guard password.utf8.count > 72 else { return password }
        return "sha256:" + Data(SHA256.hash(data: Data(password.utf8))).base64EncodedString()
    }

    /// A bcrypt hash of a random secret at this cost, to verify against when an email is unknown.
    public func decoy() -> String {
        Bcrypt.hash(UUID().uuidString, cost: cost)
    }
}

/// A counting semaphore with a bounded FIFO queue of waiters.
final class HashSlots: Sendable {
    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    private let queueLimit: Int

    init(concurrency: Int, queueLimit: Int) {
        self.state = Mutex(State(free: max(1, concurrency)))
        self.queueLimit = queueLimit
    }

    func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async throws {
        enum Step { case go, wait, refuse }
        let step = state.withLock { state -> Step in
            if state.free > 0 {
                state.free -= 1
                return .go
            }
            return state.waiters.count < queueLimit ? .wait : .refuse
        }
        switch step {
        case .go: return
        case .refuse:
            throw Problem(
                status: .serviceUnavailable, code: "auth.busy", title: "Busy",
                detail: "Too many password checks are waiting; retry in a moment.", retryAfter: 1)
        case .wait:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let granted = state.withLock { state -> Bool in
                    if state.free > 0 {
                        state.free -= 1
                        return true
                    }
                    state.waiters.append(continuation)
                    return false
                }
                if granted { continuation.resume() }
            }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
