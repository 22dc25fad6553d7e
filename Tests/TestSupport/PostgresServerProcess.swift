import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server of a test's own, to stop (immediate mode, as a crash does) and start again.
///
/// Uses the binaries `scripts/test` installs (the newest under /usr/lib/postgresql); as root it runs
/// them as the `postgres` account, which PostgreSQL requires. Fails, never skips, without them.
public final class PostgresServerProcess: @unchecked Sendable {
    public let port: Int
    private let directory: URL
    private let bin: String

    public init(port: Int = FreePorts.range()) throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last
        else { throw MissingPostgres() }
        self.bin = "/usr/lib/postgresql/\(newest)/bin"
        self.port = port
        self.directory = URL(fileURLWithPath: "/tmp/sprocket-pg-\(port)-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if getuid() == 0 { try Self.run("/bin/chown", ["postgres", directory.path]) }
        try pg("initdb", ["-D", "\(directory.path)/data", "-A", "trust", "-U", "postgres", "--no-sync"])
        try start()
    }

    /// `postgres://…` for this server.
    public var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres" }

    public func start() throws {
        try pg(
            "pg_ctl",
            [
                "-D", "\(directory.path)/data", "-l", "\(directory.path)/log", "-w", "-t", "30", "-o",
                "-p \(port) -k \(directory.path) -c listen_addresses=127.0.0.1 -c fsync=off", "start",
            ])
    }

    /// Stops the server the way a crash does: no checkpoint, every connection cut.
    public func stopImmediately() throws {
        try pg("pg_ctl", ["-D", "\(directory.path)/data", "-m", "immediate", "-w", "stop"])
    }

    /// Stops the server and removes its files.
    public func remove() {
        try? stopImmediately()
        try? FileManager.default.removeItem(at: directory)
    }

    private func pg(_ tool: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", "\(bin)/\(tool)"] + arguments)
        } else {
            try Self.run("\(bin)/\(tool)", arguments)
        }
    }

    /// Runs `executable` to its end with output discarded. (posix_spawn and waitpid: Foundation's
    /// `Process` does not always notice the end of a command whose child stays behind, as pg_ctl's does.)
    private static func run(_ executable: String, _ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        var status: Int32 = 0
        guard spawned == 0, waitpid(pid, &status, 0) == pid, status == 0 else {
            throw ServerCommandFailed(command: ([executable] + arguments).joined(separator: " "))
        }
    }
}

/// A command that controls a test's server failed.
public struct ServerCommandFailed: Error, CustomStringConvertible {
    public let command: String
    public var description: String { "failed: \(command)" }
}
