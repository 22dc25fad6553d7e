import Foundation

/// Threads of their own, for the life of the process, that run the jobs of the tasks that prefer them (`withTaskExecutorPreference`),
/// first come first served.
///
/// SQLite's statements block the thread that runs them, so they run here rather than on the Swift
/// concurrency pool's few threads (which also accept connections and answer requests): write
/// transactions on the process's writer threads, each transaction's code and statements on one of them in
/// one go (one hop onto the thread and one back, not two for each statement), and reads on its reader
/// threads. Both are as many as the cores, whatever the number of databases.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var next = 0

    /// `name` names the threads for `top` and profilers (its first 15 bytes, Linux's limit).
    init(name: String, threads: Int = 1) {
        for _ in 0..<max(1, threads) {
            let thread = Thread { [self] in
                Thread.current.name = String(name.utf8.prefix(15)) ?? "sqlite"
                runJobs()
            }
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while next == jobs.count { condition.wait() }
            let job = jobs[next]
            next += 1
            if next == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                next = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
