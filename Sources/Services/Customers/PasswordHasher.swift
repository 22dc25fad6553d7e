import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix
import ServiceKit

/// bcrypt, run on NIO's blocking thread pool so hashing never stalls the request threads.
///
/// At most `concurrency` hashes run at once (default: half the cores, at least one), so the pool
/// always keeps threads for the SQLite calls that share it; at most `queueLimit` more wait, and
/// beyond that a request gets 503 `auth.busy` with `Retry-After` instead of queueing without end.
public struct PasswordHasher: Sendable {
    /// The bcrypt cost (work factor): 12 in production; tests may lower it.
    public let cost: UInt8
    private let slots: WaitingSlots

    public init(
        cost: UInt8 = 12, concurrency: Int = max(1, ProcessInfo.processInfo.activeProcessorCount / 2),
        queueLimit: Int = 64
    ) {
        self.cost = cost
        self.slots = WaitingSlots(concurrency: concurrency, queueLimit: queueLimit)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        let input = Self.input(password)
        return try await slots.run(refusal: Self.busy) {
            try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(input, cost: cost) }
        }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        let input = Self.input(password)
        return try await slots.run(refusal: Self.busy) {
            try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(input, hash: hash) }
        }
    }

    private static var busy: Problem {
        Problem(
            status: .serviceUnavailable, code: "auth.busy", title: "Busy",
            detail: "Too many password checks are waiting; retry in a moment.", retryAfter: 1)
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
