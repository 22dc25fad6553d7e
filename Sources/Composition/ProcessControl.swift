import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starting, signalling and watching other processes with `posix_spawn` (Foundation's `Process` crashed
/// on Linux while other threads were busy), for ``LocalCluster``.
enum ProcessControl {
    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts `executable` in a session of its own (it outlives this process and ignores its terminal's
    /// signals), standard output and error appended to `log`; returns its pid.
    static func spawnDetached(_ executable: String, _ arguments: [String], log: String) throws -> pid_t {
        try spawn(executable, arguments, output: log, detached: true)
    }

    /// Runs `executable` to its end, its output appended to `log`; returns its exit status.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], log: String = "/dev/null") throws -> Int32 {
        let pid = try spawn(executable, arguments, output: log, detached: false)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1, errno == EINTR {}
        return (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
    }

    private static func spawn(_ executable: String, _ arguments: [String], output: String, detached: Bool) throws
        -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc's 0x80; the macro is not imported into Swift).
        if detached { posix_spawnattr_setflags(&attributes, 0x80) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw Failed(description: "could not start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Whether `pid` runs (a zombie nobody reaped yet counts as ended).
    static func isRunning(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        var raw: Int32 = 0
        if waitpid(pid, &raw, WNOHANG) == pid { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// Sends SIGTERM and waits up to `grace` for `pid` to end, then kills it.
    static func terminate(_ pid: pid_t, grace: Duration = .seconds(30)) async {
        guard isRunning(pid) else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isRunning(pid), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if isRunning(pid) { kill(pid, SIGKILL) }
        while isRunning(pid) { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// The path of the running executable.
    static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Whether this process runs as root.
    static var isRoot: Bool { getuid() == 0 }
}
