import Foundation

/// Starts Foundation `Process`es one at a time. Foundation's `Process.run()` on Linux has crashed the
/// test process (a bad memcpy inside it) when tests launched servers from several threads at once.
public enum ProcessLaunch {
    private static let lock = NSLock()

    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
