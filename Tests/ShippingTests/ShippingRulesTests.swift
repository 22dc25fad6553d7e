import Foundation
import IntegrationEvents
import ServiceKit
import Shipping
import Testing

@Suite("Shipping rules")
struct ShippingRulesTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func slip(_ state: PackedSlip.State) -> PackedSlip {
        PackedSlip(
            slipId: "s1", number: "PS-2026-000001", orderId: "o1", orderNumber: "SO-2026-000001", customerId: "c1",
            warehouse: "MAD", slipsInOrder: 1, items: [], state: state)
    }

    static func shipment() -> Shipment {
        Shipment(
            id: "sh1", slip: slip(.shipped), carrier: "DHL", trackingNumber: "1Z", status: .shipped,
            tracking: [TrackingEvent(status: .shipped, at: now, location: nil, recordedAt: now, actor: "staff")],
            shippedAt: now, updatedAt: now)
    }

    @Test func onlyAPackedSlipShips() throws {
        #expect(try ShippingRules.checkShippable(Self.slip(.packed), id: "s1").slipId == "s1")
        for (slip, code) in [
            (nil, "shipping.slip_not_packed"), (Self.slip(.voided), "shipping.slip_voided"),
            (Self.slip(.shipped), "shipping.slip_already_shipped"),
        ] as [(PackedSlip?, String)] {
            #expect(throws: Problem.self) { try ShippingRules.checkShippable(slip, id: "s1") }
            do {
                _ = try ShippingRules.checkShippable(slip, id: "s1")
            } catch {
                #expect(error.code == code)
                #expect(error.status == 409)
            }
        }
    }

    @Test func trackingMovesForwardRepeatsScansAndStopsAtDelivery() throws {
        var shipment = Self.shipment()
        #expect(
            try ShippingRules.track(
                &shipment, status: .inTransit, at: nil, location: "Hub A", actor: "s", now: Self.now))
        #expect(shipment.status == .inTransit)
        // Another scan on the way: recorded, no new status.
        #expect(
            try !ShippingRules.track(
                &shipment, status: .inTransit, at: nil, location: "Hub B", actor: "s", now: Self.now))
        #expect(shipment.tracking.map(\.location) == [nil, "Hub A", "Hub B"])
        #expect(
            try ShippingRules.track(&shipment, status: .delivered, at: nil, location: nil, actor: "s", now: Self.now))
        do {
            _ = try ShippingRules.track(
                &shipment, status: .inTransit, at: nil, location: nil, actor: "s", now: Self.now)
            Issue.record("a delivered shipment took another event")
        } catch {
            #expect(error.code == "shipping.already_delivered")
        }
        #expect(shipment.tracking.count == 4)
    }

    @Test func aDeliveryWithoutTransitScanIsDeliveredAndTheFutureIsRefused() throws {
        var shipment = Self.shipment()
        let tomorrow = Self.now.addingTimeInterval(86_400)
        do {
            _ = try ShippingRules.track(
                &shipment, status: .delivered, at: tomorrow, location: nil, actor: "s", now: Self.now)
            Issue.record("a report from tomorrow was taken")
        } catch {
            #expect(error.status == 409)
            #expect(error.code == "shipping.event_in_future")
        }
        #expect(shipment.tracking.count == 1)
        let carrierClock = Self.now.addingTimeInterval(60)  // a minute ahead: within the allowed skew
        #expect(
            try ShippingRules.track(
                &shipment, status: .delivered, at: carrierClock, location: nil, actor: "s", now: Self.now))
        #expect(shipment.status == .delivered)
        #expect(shipment.tracking.last?.at == carrierClock)
    }
}
