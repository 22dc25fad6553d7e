#if canImport(Glibc)
    import Glibc
#endif

/// Ports for the servers tests start, chosen below the kernel's ephemeral range (32768 and up on Linux),
/// so an outgoing connection of a concurrent test can never be holding one of them, and checked free by
/// binding each one.
public enum FreePorts {
    /// The first of `count` consecutive ports on 127.0.0.1 that nothing listens on or holds.
    public static func range(_ count: Int = 1) -> Int {
        for _ in 0..<500 {
            let base = Int.random(in: 20_000...(32_000 - count))
            if (base..<(base + count)).allSatisfy(isFree) { return base }
        }
        return Int.random(in: 20_000...(32_000 - count))  // the server start then reports the clash
    }

    static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }
}
