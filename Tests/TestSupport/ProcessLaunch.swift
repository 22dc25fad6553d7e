import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn`, its output appended to a file (or discarded).
///
/// Tests do not use Foundation's `Process`: on Linux its `run()` crashed the test process (a bad memcpy
/// inside it) while other threads were busy, even when launches were serialised.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` with `arguments`; standard output and error go to `output` (created or
    /// appended to), or nowhere.
    public init(_ executable: String, _ arguments: [String], output: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let target = output ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw SpawnFailed(command: executable, code: result) }
        self.pid = pid
    }

    /// Whether it still runs (reaps it when it ended).
    public var isRunning: Bool {
        lock.withLock {
            guard status == nil else { return false }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = raw
                return false
            }
            return true
        }
    }

    /// Sends `signal` (SIGTERM by default) unless it already ended.
    public func signal(_ signal: Int32 = SIGTERM) {
        if isRunning { kill(pid, signal) }
    }

    /// Waits for it to end; its exit code (128 + the signal when a signal ended it).
    @discardableResult
    public func waitUntilExit() -> Int32 {
        lock.withLock {
            if status == nil {
                var raw: Int32 = 0
                while waitpid(pid, &raw, 0) == -1, errno == EINTR {}
                status = raw
            }
            let raw = status ?? 0
            return (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
        }
    }
}

/// `posix_spawn` failed.
public struct SpawnFailed: Error, CustomStringConvertible {
    public let command: String
    public let code: Int32
    public var description: String { "could not start \(command) (error \(code))" }
}
