import Foundation
import Hummingbird
import HummingbirdTesting
import Messaging
import ServiceKit
import Storage
import Synchronization
import Testing
import TestSupport

/// A relay with work waiting and no progress is reported: `/health/ready` turns 503 and names it, and
/// it recovers by itself when the transport does.
@Suite("Stalled background loops are reported, on both engines")
struct StallReportingTests {
    @Test(arguments: Engine.allCases)
    func aRelayThatCannotPublishIsReportedAndRecovers(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(
                service: MessagingSchema.service, MessagingSchema.migrations, logger: TestDatabase.logger)
            for n in 0..<5 {
                try await database.transaction { db in
                    try await Outbox.append(
                        try EventEnvelope(
                            source: "/t", type: "test.thing.happened", subject: "\(n)", payload: ["n": n]),
                        in: db)
                }
            }
            let monitor = LoopMonitor(stallAfter: .seconds(1), logger: TestDatabase.logger)
            let transport = SwitchableTransport()
            let relay = OutboxRelay(
                name: "test outbox relay", database: database, transport: transport, logger: TestDatabase.logger,
                monitor: monitor)
            let router = Router()
            HealthRoutes.add(to: router, databases: ["test": database], loops: monitor)
            let running = Task { try await relay.run() }
            defer { running.cancel() }
            try await Application(router: router).test(.router) { client in
                // Stalled after a second without progress; a busy CI machine may take longer to get there.
                var stalls = monitor.stalls()
                for _ in 0..<100 where stalls.isEmpty {
                    try await Task.sleep(for: .milliseconds(100))
                    stalls = monitor.stalls()
                }
                #expect(stalls.map(\.loop) == ["test outbox relay"])
                #expect((stalls.first?.oldestWaiting ?? .zero) >= .seconds(1))
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    let body = String(buffer: response.body)
                    #expect(body.contains(#""loop":"test outbox relay""#))
                    #expect(body.contains(#""oldestWaitingSeconds":"#))
                }
                transport.isUp.store(true, ordering: .releasing)
                // The relay reports its progress just after it commits: wait for both.
                var pending = 5
                for _ in 0..<100 where pending > 0 || !monitor.stalls().isEmpty {
                    try await Task.sleep(for: .milliseconds(100))
                    pending = try await Outbox.pendingCount(in: database)
                }
                #expect(pending == 0)
                #expect(monitor.stalls().isEmpty)
                try await client.execute(uri: "/health/ready", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }
}

/// Refuses every event until `isUp` is set.
final class SwitchableTransport: Transport, Sendable {
    struct Down: Error {}
    let isUp = Atomic<Bool>(false)

    func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome {
        var outcome = PublishOutcome()
        if isUp.load(ordering: .acquiring) {
            outcome.published = batch.map(\.id)
        } else {
            outcome.failures = batch.map { PublishFailure(eventID: $0.id, description: "down") }
        }
        return outcome
    }

    func subscribe(consumer: String, types: Set<String>, deliverBatch: @escaping EventBatchDelivery) async throws {}
}
