import Foundation

/// A thread of its own that runs the jobs of the tasks that prefer it (`withTaskExecutorPreference`),
/// in the order they arrive.
///
/// A SQLite database's write transactions run here: the transaction's code and every one of its
/// statements run on this thread in one go, so a transaction costs one hop onto the thread and one back,
/// not two for each statement.
final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    /// `name` names the thread for `top` and profilers (its first 15 bytes, Linux's limit).
    init(name: String) {
        let thread = Thread { [self] in
            Thread.current.name = String(name.utf8.prefix(15)) ?? "sqlite"
            runJobs()
        }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        let running = !stopping
        if running {
            jobs.append(job)
            condition.signal()
        }
        condition.unlock()
        // Once stopped, a late job (one that then finds its database closed) runs on the global executor.
        if !running { globalConcurrentExecutor.enqueue(job) }
    }

    /// Ends the thread once the jobs already enqueued have run; later jobs run on the global executor.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
