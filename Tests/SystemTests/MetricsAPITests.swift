import Foundation
import Composition
import HummingbirdTesting
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("/metrics through the router, on both engines")
struct MetricsAPITests {
    @Test(arguments: Engine.allCases)
    func metricsCountRequestsByRouteAndReadTheOutboxAndTheProcess(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let order = try await OrdersAPITests.place(client, [("PAD", 1)], token: world.ann)
            _ = try await client.json(.get, "/api/v1/orders/\(order.id)", token: world.ann)
            let metrics = try await client.json(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = metrics.text.split(separator: "\n").map(String.init)
            func value(_ prefix: String) -> Double? {
                lines.first { $0.hasPrefix(prefix) }.flatMap { Double($0.split(separator: " ").last ?? "") }
            }
            // By route template, not by id: one series for every order read.
            let reads =
                #"sprocket_http_requests_total{process="embedded",route="/api/v1/orders/{id}",method="GET",status="200"}"#
            #expect((value(reads) ?? 0) >= 1)
            #expect(!lines.contains { $0.contains(order.id) })
            // The placement's event waits in the orders outbox until the relay's next pass.
            #expect((value(#"sprocket_outbox_pending{database=""#) ?? -1) >= 0)
            #expect(lines.contains { $0.hasPrefix("sprocket_db_transaction_duration_seconds_bucket{") })
            #expect((value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect(value("sprocket_stalled_loops") == 0)
            try await system.publishPendingEvents()
            let after = try await client.json(.get, "/metrics").text
            #expect(after.contains(#"sprocket_event_delay_seconds_count{consumer="inventory",type="order.placed"}"#))
            // Each service times the steps of the order flow it takes, from the placement on.
            for step in ["reserved", "confirmed", "slip", "invoiced"] {
                #expect(after.contains(#"sprocket_order_step_seconds_count{step="\#(step)"}"#), "\(step)")
            }

            // The relay publishes the placement again (as after a crash before it marked the row): the inbox
            // skips it, and the consumer counts a redelivery.
            let orders = try #require(ServiceName(rawValue: "orders").flatMap { system.databases[$0] })
            try await orders.transaction { db in
                // Pending again: SQLite keeps pending rows' seqs in a table of their own (`Outbox.pending`).
                switch orders.engine {
                case .postgres:
                    try await db.raw("UPDATE outbox SET published_at = NULL WHERE type = 'order.placed'").run()
                case .sqlite:
                    try await db.raw(
                        "INSERT INTO outbox_pending (seq) SELECT seq FROM outbox WHERE type = 'order.placed'"
                    ).run()
                }
            }
            try await system.publishPendingEvents()
            let redelivered = try await client.json(.get, "/metrics").text.split(separator: "\n").first {
                $0.hasPrefix(#"sprocket_events_redelivered_total{consumer="inventory"}"#)
            }
            #expect((redelivered?.split(separator: " ").last).flatMap { Double($0) } ?? 0 >= 1)

            // Retention: each plumbing table's window and its oldest row's age, as gauges and as
            // `sprocket reconcile --sizes` prints them.
            let retention = try await client.json(.get, "/metrics").text
            #expect(retention.contains(#"sprocket_retention_window_seconds{database="orders",table="outbox"} 604800"#))
            #expect(retention.contains(#"sprocket_retention_oldest_age_seconds{database="orders",table="inbox"}"#))
            let report = try await TableReport.read(try #require(ServiceName(rawValue: "orders")), orders)
            #expect(report.behind.isEmpty)
            #expect(report.sizes.first { $0.table == "orders" }?.rows == 1)
            #expect(report.lines.contains { $0.hasPrefix("orders.outbox ") && $0.contains("(kept 7d)") })
        }
    }
}

@Suite("The memory budget's split")
struct MemoryBudgetTests {
    @Test func halfTheBudgetIsDatabaseCachesSplitByWeightAndTheCatalogGetsTheMost() {
        var configuration = SystemConfiguration()
        #expect(configuration.memoryBudget(alone: false) == 256)
        #expect(configuration.memoryBudget(alone: true) == 128)
        let shares = ServiceName.allCases.map { configuration.cacheBytes(for: $0, alone: false) }
        #expect(shares.reduce(0, +) <= 128 << 20)
        #expect(shares.reduce(0, +) > 120 << 20)
        let catalog = ServiceName.allCases.firstIndex { $0.rawValue == "catalog" } ?? 0
        #expect(shares[catalog] == shares.max())
        #expect(configuration.cacheBytes(for: ServiceName.allCases[0], alone: true) == 64 << 20)
        configuration.memoryBudget = 1024
        let quadrupled = configuration.cacheBytes(for: ServiceName.allCases[catalog], alone: false)
        #expect(abs(quadrupled - shares[catalog] * 4) < 16)  // integer division
    }
}
