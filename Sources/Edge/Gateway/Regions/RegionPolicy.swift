/// Where a regional gateway sends a request: the pure decision, from the request's method and token and
/// what the gateway knows of its replica and of the link to the home region.
public enum RegionPolicy {
    /// What the regional gateway knows when a request arrives.
    public struct State: Sendable, Equatable {
        /// How far the region's replica has replayed the home region's log (`nil` when it cannot be read).
        public var replayed: WALPosition?
        /// Whether the home region answered its last probe.
        public var homeReachable: Bool

        public init(replayed: WALPosition?, homeReachable: Bool) {
            self.replayed = replayed
            self.homeReachable = homeReachable
        }
    }

    public enum Route: Sendable, Equatable {
        /// Served by the region's own services, from its replica.
        case local
        /// The replica has not replayed the client's last write yet: wait for it, briefly.
        case awaitReplica(WALPosition)
        /// Sent to the home region (writes, and reads the replica cannot serve in time).
        case home
        /// A write while the home region is cut off: 503 with `Retry-After`, nothing forwarded.
        case refuse
    }

    /// The route of a request: a write goes home (or is refused while home is cut off); a read is local,
    /// unless it carries a token the replica has not reached, when it waits for the replica (or, with the
    /// replica unreadable, goes home; or, with home cut off too, is served as it is, marked stale).
    public static func route(isRead: Bool, token: WALPosition?, state: State) -> Route {
        guard isRead else { return state.homeReachable ? .home : .refuse }
        guard let token else { return .local }
        guard let replayed = state.replayed else { return state.homeReachable ? .home : .local }
        return replayed >= token ? .local : .awaitReplica(token)
    }

    /// After waiting for the replica in vain: home if it can be reached, else what the region has.
    public static func afterWaiting(caughtUp: Bool, homeReachable: Bool) -> Route {
        caughtUp || !homeReachable ? .local : .home
    }

    /// Whether a locally served answer is marked stale: home is cut off, or the data is older than
    /// `staleAfter` seconds.
    public static func isStale(age: Double?, homeReachable: Bool, staleAfter: Double) -> Bool {
        guard homeReachable, let age else { return true }
        return age > staleAfter
    }
}
