#if canImport(Glibc)
    import Glibc
#endif
import ServiceLifecycle

/// Gives memory that closed connections, subscriptions and finished requests held back to the system.
///
/// glibc's allocator keeps freed memory in its arenas (one per thread that allocated), so a burst of
/// clients leaves RSS high long after they are gone. After something was released
/// (``ConnectionLedger``, the requests in flight reaching none), and a second's quiet for more of it,
/// this asks the allocator to return its free pages (`malloc_trim`). Nothing is released at rest, so
/// nothing runs at rest.
public final class MemoryReclaimer: Service, Sendable {
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    public init() {
        (signals, signal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Notes that memory may have been freed.
    public func released() {
        signal.yield()
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            for await _ in self.signals {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { return }
                Self.trim()
            }
        }
    }

    /// Returns the allocator's free pages to the system now (glibc's `malloc_trim`, looked up at run
    /// time: Swift's Glibc module does not import `malloc.h`).
    public static func trim() {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            guard let symbol = mallocTrim else { return }
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }

    #if canImport(Glibc)
        private nonisolated(unsafe) static let mallocTrim = dlsym(nil, "malloc_trim")
    #endif
}
