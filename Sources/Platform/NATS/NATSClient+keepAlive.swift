import NIOCore

extension NATSClient {
    /// Waits until `channel` closes, PINGing it every `pingInterval`; closes it after two missed PONGs.
    func keepAlive(_ channel: any Channel) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await channel.closeFuture.get() }
            group.addTask { [self] in
                var missed = 0
                while !Task.isCancelled {
                    try await Task.sleep(for: pingInterval)
                    do {
                        try await ping(on: channel, timeout: .seconds(5))
                        missed = 0
                    } catch {
                        missed += 1
                        if missed >= 2 {
                            logger.warning("NATS server stopped answering PINGs; reconnecting")
                            channel.close(promise: nil)
                            return
                        }
                    }
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }
}
