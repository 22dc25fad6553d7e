import Crypto
import Foundation
import ServiceKit
import Synchronization
import Testing

@Suite("Key ring")
struct KeyRingTests {
    @Test func concurrentLookupsOfAnUnknownKeyShareOneRefresh() async throws {
        let key = Curve25519.Signing.PrivateKey().publicKey
        let fetches = Atomic<Int>(0)
        let ring = KeyRing {
            fetches.add(1, ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(100))
            return KeyRing.Snapshot(keys: ["k1": key])
        }
        let found = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { await ring.key(id: "k1") != nil } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(found == Array(repeating: true, count: 20))
        #expect(fetches.load(ordering: .relaxed) == 1)
        // An unknown id right after a refresh does not fetch again (at most one fetch per 10 s).
        #expect(await ring.key(id: "k2") == nil)
        #expect(fetches.load(ordering: .relaxed) == 1)
    }

    /// The service that signs tokens was still starting when another looked for its key: the next token
    /// a second later finds the key, instead of every token failing for 10 s.
    @Test func aFailedRefreshIsTriedAgainAfterASecondNotTen() async throws {
        struct Down: Error {}
        let key = Curve25519.Signing.PrivateKey().publicKey
        let up = Atomic<Bool>(false)
        let ring = KeyRing {
            guard up.load(ordering: .relaxed) else { throw Down() }
            return KeyRing.Snapshot(keys: ["k1": key])
        }
        #expect(await ring.key(id: "k1") == nil)
        up.store(true, ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(1_100))
        #expect(await ring.key(id: "k1") != nil)
    }
}
