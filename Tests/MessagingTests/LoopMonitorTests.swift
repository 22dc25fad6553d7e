import Foundation
import InMemoryLogging
import Logging
@testable import Messaging
import Testing

@Suite("Loop monitor")
struct LoopMonitorTests {
    @Test func aStallIsLoggedOnceThenAgainWhileItLastsAndClearsWithProgress() async throws {
        let handler = InMemoryLogHandler()
        let monitor = LoopMonitor(stallAfter: .milliseconds(500), logger: Logger(label: "t") { _ in handler })
        let progress = monitor.register("test loop")
        progress.waiting(since: Date().addingTimeInterval(-5))
        #expect(monitor.stalls().isEmpty)  // waiting, but not for long without progress yet
        try await Task.sleep(for: .milliseconds(600))
        let stall = try #require(monitor.stalls().first)
        #expect(stall.loop == "test loop")
        #expect(stall.oldestWaiting >= .seconds(5))
        monitor.warnAboutStalls()
        monitor.warnAboutStalls()
        #expect(handler.entries.count == 1)  // once...
        try await Task.sleep(for: .milliseconds(600))
        monitor.warnAboutStalls()
        #expect(handler.entries.count == 2)  // ...and again while it lasts
        #expect(handler.entries.first?.metadata["loop"] == "test loop")
        progress.progressed()
        #expect(monitor.stalls().isEmpty)
        monitor.warnAboutStalls()
        #expect(handler.entries.count == 2)
    }
}
