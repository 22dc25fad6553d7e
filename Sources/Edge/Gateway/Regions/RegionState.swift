import Foundation
import Synchronization

/// What a gateway knows of its region, kept up to date by its loops (the replica's position and the
/// age of its data; whether home answers) and read by every request.
public final class RegionState: Sendable {
    /// The region's name, as `Sprocket-Region` reports it.
    public let name: String
    /// `nil` in the home region; a regional gateway's home gateway.
    public let homeURL: String?
    /// A locally served answer older than this (seconds) is marked stale.
    public let staleAfter: Double

    private struct Replica {
        var replayed: WALPosition?
        /// When the last transaction the replica replayed was committed at home (seconds since 1970).
        var committedAt: Double?
    }

    private let replica = Mutex(Replica())
    private let homeReachable = Atomic<Bool>(true)

    public init(name: String, homeURL: String?, staleAfter: Double = 5) {
        self.name = name
        self.homeURL = homeURL
        self.staleAfter = staleAfter
    }

    public var isHome: Bool { homeURL == nil }

    /// Records what the replica has replayed (`nil`s when it could not be read).
    public func replicaRead(replayed: WALPosition?, committedAt: Double?) {
        replica.withLock { $0 = Replica(replayed: replayed, committedAt: committedAt) }
    }

    public func homeProbed(reachable: Bool) { homeReachable.store(reachable, ordering: .relaxed) }

    public var isHomeReachable: Bool { homeReachable.load(ordering: .relaxed) }

    public var replayed: WALPosition? { replica.withLock { $0.replayed } }

    /// How old the region's data may be, in seconds: since the home region committed the last
    /// transaction the replica has (home writes a heartbeat every second); `nil` when unknown.
    public func dataAge(now: Date = Date()) -> Double? {
        guard let committedAt = replica.withLock({ $0.committedAt }) else { return nil }
        return max(0, now.timeIntervalSince1970 - committedAt)
    }

    public var policyState: RegionPolicy.State {
        RegionPolicy.State(replayed: replayed, homeReachable: isHomeReachable)
    }
}
