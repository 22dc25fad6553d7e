import Foundation
import FulfillmentAPI
import IntegrationEvents
import OpenAPIRuntime
import ServiceKit

/// The fulfillment service's HTTP API: maps generated types to the store and the pages, and checks roles
/// (every operation is for staff and admin).
struct FulfillmentHandler: APIProtocol, ContractHandler {
    let store: FulfillmentStore
    let pages: FulfillmentPages
    let authenticator: Authenticator

    func listPackingSlips(_ input: Operations.ListPackingSlips.Input) async throws -> Operations.ListPackingSlips.Output
    {
        _ = try await authenticator.require(.staff, .admin)
        let query = input.query
        let page = try PageRequest(limit: query.limit, cursor: query.cursor, keyCount: 2)
        let filter = SlipFilter(
            warehouse: query.warehouse, status: query.status.flatMap { SlipStatus(rawValue: $0.rawValue) },
            orderId: query.orderId)
        let result = try await store.list(filter, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Self.map), nextCursor: result.nextCursor))))
    }

    func getPackingSlip(_ input: Operations.GetPackingSlip.Input) async throws -> Operations.GetPackingSlip.Output {
        _ = try await authenticator.require(.staff, .admin)
        guard let slip = try await store.slip(input.path.id) else { throw FulfillmentProblems.notFound(input.path.id) }
        if ContentNegotiation.prefers(.html, over: .json, in: input.headers.accept) {
            return .ok(.init(body: .html(HTTPBody(pages.packingSlip(slip)))))
        }
        return .ok(.init(body: .json(Self.map(slip))))
    }

    func packPackingSlip(_ input: Operations.PackPackingSlip.Input) async throws -> Operations.PackPackingSlip.Output {
        let principal = try await authenticator.require(.staff, .admin)
        return .ok(.init(body: .json(Self.map(try await store.pack(input.path.id, actor: principal.subject)))))
    }

    func getPickList(_ input: Operations.GetPickList.Input) async throws -> Operations.GetPickList.Output {
        _ = try await authenticator.require(.staff, .admin)
        let warehouse = input.path.code.uppercased()
        let lines = try await store.pickList(warehouse: warehouse)
        let slips = try await store.openSlips(warehouse: warehouse)
        if ContentNegotiation.prefers(.html, over: .json, in: input.headers.accept) {
            let page = pages.pickList(warehouse: warehouse, lines: lines, slips: slips, printed: Date())
            return .ok(.init(body: .html(HTTPBody(page))))
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        warehouse: warehouse, slips: slips,
                        lines: lines.map {
                            .init(bin: $0.bin, sku: $0.sku, name: $0.name, quantity: $0.quantity, slips: $0.slips)
                        }))))
    }

    static func map(_ slip: PackingSlip) -> Components.Schemas.PackingSlip {
        .init(
            id: slip.id, number: slip.number, orderId: slip.orderId, orderNumber: slip.orderNumber,
            customerId: slip.customerId, warehouse: slip.warehouse,
            status: map(slip.status),
            shipTo: map(slip.shipTo), lines: slip.lines.map(map), createdAt: slip.createdAt, updatedAt: slip.updatedAt)
    }

    static func map(_ line: SlipLine) -> Components.Schemas.SlipLine {
        .init(
            kind: map(line.kind), sku: line.sku,
            name: line.name, quantity: line.quantity, bin: line.bin, kit: line.kit)
    }

    static func map(_ status: SlipStatus) -> Components.Schemas.SlipStatus {
        switch status {
        case .open: .open
        case .packed: .packed
        case .shipped: .shipped
        case .voided: .voided
        }
    }

    static func map(_ kind: SlipLine.Kind) -> Components.Schemas.SlipLine.KindPayload {
        switch kind {
        case .part: .part
        case .kit: .kit
        case .component: .component
        }
    }

    static func map(_ address: PostalAddress) -> Components.Schemas.Address {
        .init(
            firstName: address.firstName, lastName: address.lastName, company: address.company, email: address.email,
            phone: address.phone, line1: address.line1, line2: address.line2, line3: address.line3, city: address.city,
            region: address.region, postalCode: address.postalCode, country: address.country)
    }
}
