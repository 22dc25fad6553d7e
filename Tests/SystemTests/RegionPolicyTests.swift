import Gateway
import Testing

@Suite("Region policy")
struct RegionPolicyTests {
    @Test func logPositionsParseCompareAndPrintLikePostgreSQL() {
        #expect(WALPosition("16/B374D848")?.value == 0x16_B374_D848)
        #expect(WALPosition("16/B374D848")?.description == "16/B374D848")
        #expect(WALPosition("0/0") == WALPosition(0))
        #expect(WALPosition("1/0")! > WALPosition("0/FFFFFFFF")!)
        for bad in ["", "/", "1", "1/", "/1", "123456789/0", "0/123456789", "g/0", "-1/0", "+1/0", "1/2/3", "٣/0"] {
            #expect(WALPosition(bad) == nil, "\(bad)")
        }
    }

    @Test func writesGoHomeOrAreRefusedWhileHomeIsCutOff() {
        let up = RegionPolicy.State(replayed: WALPosition(10), homeReachable: true)
        let cut = RegionPolicy.State(replayed: WALPosition(10), homeReachable: false)
        #expect(RegionPolicy.route(isRead: false, token: nil, state: up) == .home)
        #expect(RegionPolicy.route(isRead: false, token: WALPosition(1), state: up) == .home)
        #expect(RegionPolicy.route(isRead: false, token: nil, state: cut) == .refuse)
    }

    @Test func readsAreLocalUnlessTheirTokenIsAhead() {
        let up = RegionPolicy.State(replayed: WALPosition(10), homeReachable: true)
        #expect(RegionPolicy.route(isRead: true, token: nil, state: up) == .local)
        #expect(RegionPolicy.route(isRead: true, token: WALPosition(10), state: up) == .local)
        #expect(RegionPolicy.route(isRead: true, token: WALPosition(11), state: up) == .awaitReplica(WALPosition(11)))
        // The replica cannot be read: home if it answers, else what the region has.
        let blind = RegionPolicy.State(replayed: nil, homeReachable: true)
        #expect(RegionPolicy.route(isRead: true, token: WALPosition(1), state: blind) == .home)
        let alone = RegionPolicy.State(replayed: nil, homeReachable: false)
        #expect(RegionPolicy.route(isRead: true, token: WALPosition(1), state: alone) == .local)
        #expect(RegionPolicy.afterWaiting(caughtUp: false, homeReachable: true) == .home)
        #expect(RegionPolicy.afterWaiting(caughtUp: false, homeReachable: false) == .local)
        #expect(RegionPolicy.afterWaiting(caughtUp: true, homeReachable: true) == .local)
    }

    @Test func answersAreStaleWhenHomeIsCutOffOrTheDataIsOld() {
        #expect(!RegionPolicy.isStale(age: 1, homeReachable: true, staleAfter: 5))
        #expect(RegionPolicy.isStale(age: 6, homeReachable: true, staleAfter: 5))
        #expect(RegionPolicy.isStale(age: 0.1, homeReachable: false, staleAfter: 5))
        #expect(RegionPolicy.isStale(age: nil, homeReachable: true, staleAfter: 5))
    }
}
