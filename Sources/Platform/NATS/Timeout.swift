import NIOCore

/// Runs `body`, calling `onTimeout` and throwing ``NATSError/timeout(_:)`` if it takes longer than `limit`.
///
/// `onTimeout` must make `body` finish (for example by failing the continuation it waits on).
func withTimeout<T: Sendable>(
    _ limit: Duration, _ what: String, onTimeout: @escaping @Sendable () -> Void = {},
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        while let next = try await group.next() {
            if let value = next {
                group.cancelAll()
                return value
            }
            onTimeout()
        }
        throw NATSError.timeout(what)
    }
}
