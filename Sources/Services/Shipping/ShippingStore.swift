import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The shipping service's tables: the packed slips it may ship (from fulfillment's events), shipments
/// and their tracking events. Each change and its event commit together (the outbox).
public struct ShippingStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Learns a packed slip (once; a slip voided first stays voided).
    func apply(_ event: FulfillmentSlipPacked, now: Date = .storageNow, in db: any SQLDatabase) async throws {
        try await upsert(event.slip, state: .packed, now: now, in: db)
    }

    /// Learns that a slip was voided: it may no longer ship (unless it already has).
    func apply(_ event: FulfillmentSlipVoided, now: Date = .storageNow, in db: any SQLDatabase) async throws {
        try await upsert(event.slip, state: .voided, now: now, in: db)
    }

    /// Ships packed slip `slipId` with `carrier`: 409 unless it is packed and not shipped yet, and unless
    /// the tracking number is new for that carrier (carriers compared without case).
    public func ship(
        slipId: String, carrier: String, trackingNumber: String, actor: String, now: Date = .storageNow
    ) async throws -> Shipment {
        do {
            return try await insertShipment(
                slipId: slipId, carrier: carrier, trackingNumber: trackingNumber, actor: actor, now: now)
        } catch  where Database.isUniqueViolation(error) {
            // The slip shipped or the tracking number was taken by a concurrent request: say which.
            let taken = try await database.read { db in
                try await db.raw(
                    """
                    SELECT id FROM shipments
                    WHERE carrier_key = \(bind: carrier.uppercased()) AND tracking_number = \(bind: trackingNumber)
                    """
                ).first() != nil
            }
            if taken { throw ShippingProblems.trackingNumberTaken(carrier, trackingNumber) }
            throw ShippingProblems.slipAlreadyShipped(slipId)
        }
    }

    private func insertShipment(
        slipId: String, carrier: String, trackingNumber: String, actor: String, now: Date
    ) async throws -> Shipment {
        try await database.transaction { db in
            let row = try await db.raw(
                "SELECT * FROM packed_slips WHERE slip_id = \(bind: slipId) \(unsafeRaw: database.engine.rowLockClause)"
            ).first()
            var slip = try ShippingRules.checkShippable(try row.map(ShippingRows.slip), id: slipId)
            slip.state = .shipped
            let shipment = Shipment(
                id: UUIDv7.make(at: now), slip: slip, carrier: carrier, trackingNumber: trackingNumber,
                status: .shipped,
                tracking: [TrackingEvent(status: .shipped, at: now, location: nil, recordedAt: now, actor: actor)],
                shippedAt: now, updatedAt: now)
            try await db.raw(
                """
                UPDATE packed_slips SET state = 'shipped', updated_at = \(bind: now.microsecondsSince1970)
                WHERE slip_id = \(bind: slipId)
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO shipments (id, slip_id, order_id, customer_id, carrier, carrier_key, tracking_number, status,
                    shipped_at, updated_at)
                VALUES (\(bind: shipment.id), \(bind: slipId), \(bind: slip.orderId), \(bind: slip.customerId),
                    \(bind: carrier), \(bind: carrier.uppercased()), \(bind: trackingNumber), 'shipped', \(bind: now.microsecondsSince1970),
                    \(bind: now.microsecondsSince1970))
                """
            ).run()
            try await insert(shipment.tracking[0], seq: 1, shipment: shipment.id, in: db)
            try await Outbox.append(ShipmentShipped(shipment: Self.snapshot(shipment), actor: actor, at: now), in: db)
            return shipment
        }
    }

    /// Records a carrier report on shipment `id` (see ``ShippingRules/track``); 404 when unknown.
    public func track(
        _ id: String, status: ShipmentStatus, at: Date?, location: String?, actor: String, now: Date = .storageNow
    ) async throws -> Shipment {
        try await database.transaction { db in
            guard
                let row = try await db.raw(
                    "SELECT * FROM shipments WHERE id = \(bind: id) \(unsafeRaw: database.engine.rowLockClause)"
                ).first()
            else { throw ShippingProblems.notFound(id) }
            var shipment = try await ShippingRows.shipment(row, in: db)
            let changed = try ShippingRules.track(
                &shipment, status: status, at: at, location: location, actor: actor, now: now)
            guard let event = shipment.tracking.last else { return shipment }
            try await insert(event, seq: shipment.tracking.count, shipment: id, in: db)
            try await db.raw(
                """
                UPDATE shipments SET status = \(bind: shipment.status.rawValue),
                    updated_at = \(bind: now.microsecondsSince1970) WHERE id = \(bind: id)
                """
            ).run()
            if changed {
                let snapshot = Self.snapshot(shipment)
                switch shipment.status {
                case .inTransit:
                    try await Outbox.append(
                        ShipmentInTransit(shipment: snapshot, location: location, at: event.at), in: db)
                case .delivered:
                    try await Outbox.append(
                        ShipmentDelivered(shipment: snapshot, location: location, at: event.at), in: db)
                case .shipped: break
                }
            }
            return shipment
        }
    }

    static func snapshot(_ shipment: Shipment) -> ShipmentSnapshot {
        ShipmentSnapshot(
            shipmentId: shipment.id, slipId: shipment.slip.slipId, slipNumber: shipment.slip.number,
            orderId: shipment.slip.orderId, orderNumber: shipment.slip.orderNumber,
            customerId: shipment.slip.customerId, warehouse: shipment.slip.warehouse, carrier: shipment.carrier,
            trackingNumber: shipment.trackingNumber, status: shipment.status.rawValue,
            slipsInOrder: shipment.slip.slipsInOrder, items: shipment.slip.items)
    }

    private func upsert(_ slip: SlipSnapshot, state: PackedSlip.State, now: Date, in db: any SQLDatabase) async throws {
        let items = String(decoding: try JSONEncoder().encode(slip.items), as: UTF8.self)
        try await db.raw(
            """
            INSERT INTO packed_slips (slip_id, number, order_id, order_number, customer_id, warehouse, slips_in_order,
                items, state, updated_at)
            VALUES (\(bind: slip.slipId), \(bind: slip.number), \(bind: slip.orderId), \(bind: slip.orderNumber),
                \(bind: slip.customerId), \(bind: slip.warehouse), \(bind: slip.slipsInOrder), \(bind: items),
                \(bind: state.rawValue), \(bind: now.microsecondsSince1970))
            ON CONFLICT (slip_id) DO \(unsafeRaw: state == .voided
                ? "UPDATE SET state = 'voided', updated_at = excluded.updated_at WHERE packed_slips.state = 'packed'"
                : "NOTHING")
            """
        ).run()
    }

    private func insert(_ event: TrackingEvent, seq: Int, shipment: String, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO tracking_events (shipment_id, seq, status, at, location, recorded_at, actor)
            VALUES (\(bind: shipment), \(bind: seq), \(bind: event.status.rawValue), \(bind: event.at.microsecondsSince1970),
                \(bind: event.location), \(bind: event.recordedAt.microsecondsSince1970), \(bind: event.actor))
            """
        ).run()
    }
}
