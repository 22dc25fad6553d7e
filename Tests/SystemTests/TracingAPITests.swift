import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("Trace context through the router, on both engines")
struct TracingAPITests {
    @Test(arguments: Engine.allCases)
    func theCallersTraceReachesTheEventsItsRequestCauses(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let trace = "0af7651916cd43dd8448eb211c80319c"
            let traceparent = HTTPField.Name("traceparent") ?? .accept
            let placed = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1]]), token: world.ann,
                headers: [traceparent: "00-\(trace)-b7ad6b7169203331-01"])
            #expect(placed.status == .created)
            // The server's span, in the caller's trace.
            let answered = HTTPField.Name("traceresponse").flatMap { placed.headers[$0] } ?? ""
            #expect(answered.hasPrefix("00-\(trace)-") && !answered.contains("b7ad6b7169203331"))
            try await system.publishPendingEvents()
            // Placed by the request, reserved by inventory's consumer, confirmed by orders' consumer,
            // invoiced by billing's: one trace.
            for (service, type) in [
                ("orders", "order.placed"), ("inventory", "inventory.reserved"), ("orders", "order.confirmed"),
                ("fulfillment", "fulfillment.slip.created"), ("billing", "invoice.issued"),
            ] {
                let rows = try await system.database(service).read { db in
                    try await db.raw(
                        "SELECT traceparent FROM outbox WHERE type = \(bind: type)"
                    ).all().map { try $0.decode(column: "traceparent", as: String?.self) }
                }
                #expect(rows.count == 1, "\(service) \(type)")
                #expect(rows.first??.hasPrefix("00-\(trace)-") == true, "\(service) \(type): \(rows)")
            }
            // A request without a traceparent starts a trace of its own.
            let other = try await client.json(.get, "/api/v1/orders", token: world.ann)
            let own = HTTPField.Name("traceresponse").flatMap { other.headers[$0] } ?? ""
            #expect(TraceContextProbe.traceID(own) != trace && TraceContextProbe.traceID(own)?.count == 32)
        }
    }
}

/// The trace id of a `traceparent`-shaped header.
enum TraceContextProbe {
    static func traceID(_ header: String) -> String? {
        let parts = header.split(separator: "-")
        return parts.count == 4 ? String(parts[1]) : nil
    }
}
