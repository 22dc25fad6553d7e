import Synchronization

/// The connections a process holds, in all and per client address, checked against
/// ``RequestLimits/maxConnections`` and ``RequestLimits/maxConnectionsPerAddress`` as each is accepted.
public final class ConnectionLedger: Sendable {
    /// Why a connection was refused, or the key it is counted under.
    enum Admission: Equatable {
        case admitted(key: String?)
        case processFull
        case addressFull
    }

    private struct State {
        var total = 0
        var perAddress = KeyedCounts()
    }

    public let limits: RequestLimits
    /// Peers counted only toward the process's total (the gateway, a TLS proxy on this host).
    private let trustedProxies: Set<String>
    private let state = Mutex(State())

    /// Told whenever a connection closes.
    private let reclaimer: MemoryReclaimer?

    public init(limits: RequestLimits, trustedProxies: Set<String>, reclaimer: MemoryReclaimer? = nil) {
        self.limits = limits
        self.trustedProxies = trustedProxies
        self.reclaimer = reclaimer
    }

    /// Connections open now.
    public var openConnections: Int { state.withLock { $0.total } }

    /// Counts a new connection from `peer`, or says why it may not stay.
    func admit(peer: String?) -> Admission {
        let key = peer.flatMap { trustedProxies.contains($0) ? nil : ClientAddress.group($0) }
        return state.withLock { state in
            guard state.total < limits.maxConnections else { return .processFull }
            if let key, !state.perAddress.enter(key, limit: limits.maxConnectionsPerAddress) { return .addressFull }
            state.total += 1
            return .admitted(key: key)
        }
    }

    /// Forgets a connection admitted under `key`.
    func release(key: String?) {
        defer { reclaimer?.released() }
        state.withLock { state in
            state.total -= 1
            if let key { state.perAddress.leave(key) }
        }
    }
}
