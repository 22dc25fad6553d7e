import Foundation
import OpenAPIRuntime
import ServiceKit
import ShippingAPI

/// The shipping service's HTTP API: maps generated types to the store and back, and checks roles (staff
/// and admin ship and track; customers read their own shipments, anyone else's is 404).
struct ShippingHandler: APIProtocol, ContractHandler {
    let store: ShippingStore
    let authenticator: Authenticator

    func createShipment(_ input: Operations.CreateShipment.Input) async throws -> Operations.CreateShipment.Output {
        let principal = try await authenticator.require(.staff, .admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the shipment as JSON.") }
        let shipment = try await store.ship(
            slipId: body.packingSlipId, carrier: body.carrier, trackingNumber: body.trackingNumber,
            actor: principal.subject)
        return .created(.init(body: .json(Self.map(shipment))))
    }

    func listShipments(_ input: Operations.ListShipments.Input) async throws -> Operations.ListShipments.Output {
        let principal = try await authenticator.require(.customer, .staff, .admin)
        let query = input.query
        let page = try PageRequest(limit: query.limit, cursor: query.cursor, keyCount: 2)
        let filter = ShipmentFilter(
            orderId: query.orderId, status: query.status.flatMap { ShipmentStatus(rawValue: $0.rawValue) },
            customerId: principal.isStaff ? nil : principal.subject)
        let result = try await store.list(filter, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Self.map), nextCursor: result.nextCursor))))
    }

    func getShipment(_ input: Operations.GetShipment.Input) async throws -> Operations.GetShipment.Output {
        let principal = try await authenticator.require(.customer, .staff, .admin)
        guard let shipment = try await store.shipment(input.path.id),
            principal.isStaff || shipment.slip.customerId == principal.subject
        else { throw ShippingProblems.notFound(input.path.id) }
        return .ok(.init(body: .json(Self.map(shipment))))
    }

    func addTrackingEvent(_ input: Operations.AddTrackingEvent.Input) async throws -> Operations.AddTrackingEvent.Output
    {
        let principal = try await authenticator.require(.staff, .admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the tracking event as JSON.") }
        let status: ShipmentStatus = body.status == .delivered ? .delivered : .inTransit
        let shipment = try await store.track(
            input.path.id, status: status, at: body.at, location: body.location, actor: principal.subject)
        return .created(.init(body: .json(Self.map(shipment))))
    }

    static func map(_ shipment: Shipment) -> Components.Schemas.Shipment {
        .init(
            id: shipment.id, packingSlipId: shipment.slip.slipId, packingSlipNumber: shipment.slip.number,
            orderId: shipment.slip.orderId, orderNumber: shipment.slip.orderNumber, warehouse: shipment.slip.warehouse,
            carrier: shipment.carrier, trackingNumber: shipment.trackingNumber, status: map(shipment.status),
            tracking: shipment.tracking.map {
                .init(status: map($0.status), at: $0.at, location: $0.location, recordedAt: $0.recordedAt)
            },
            shippedAt: shipment.shippedAt, updatedAt: shipment.updatedAt)
    }

    static func map(_ status: ShipmentStatus) -> Components.Schemas.ShipmentStatus {
        switch status {
        case .shipped: .shipped
        case .inTransit: .inTransit
        case .delivered: .delivered
        }
    }
}
