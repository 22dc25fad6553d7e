/// Whose write transaction this is. A request's is answered as soon as it commits, so it takes the
/// writer before background work's (event consumers, relays, sweeps), which works in batches and loses
/// little by waiting; a background transaction that has waited long enough goes first all the same, so
/// a busy API never starves the work behind it.
public enum WritePriority: Sendable {
    case interactive
    case background

    /// The priority of the current task's write transactions: interactive unless a background loop
    /// (or its children) runs it.
    @TaskLocal public static var current = WritePriority.interactive

    /// The threads this priority's write transactions run on (shared by the process); background loops
    /// run all their work there.
    public var threads: any TaskExecutor { SQLiteWriter.threads(self) }
}
