import CatalogAPI
import Foundation
import Logging
import ServiceKit

/// The catalog's HTTP API: maps generated OpenAPI types to the store and back, and checks roles.
struct CatalogHandler: APIProtocol, ContractHandler {
    let store: CatalogStore
    let authenticator: Authenticator
    let logger: Logger

    func createPart(_ input: Operations.CreatePart.Input) async throws -> Operations.CreatePart.Output {
        _ = try await authenticator.require(.admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the part as JSON.") }
        let draft = PartDraft(
            sku: body.sku, name: body.name, description: body.description,
            price: (body.price.amount, body.price.currency), weightGrams: body.weightGrams,
            attributes: body.attributes?.additionalProperties,
            components: body.components?.map { ($0.sku, $0.quantity) }, category: body.category
        )
        let part = try await store.create(draft)
        return .created(.init(body: .json(try await mapWithDetails(part))))
    }

    func listParts(_ input: Operations.ListParts.Input) async throws -> Operations.ListParts.Output {
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor, keyCount: 1)
        let filter = PartFilter(
            query: input.query.q,
            status: input.query.status.flatMap { PartStatus(rawValue: $0.rawValue) },
            kind: input.query.kind.flatMap { PartKind(rawValue: $0.rawValue) }, fits: input.query.fits,
            categoryId: input.query.category,
            skus: input.query.skus.map { $0.split(separator: ",").compactMap { SKU.normalize(String($0)) } }
        )
        return .ok(.init(body: .json(self.page(of: try await store.detailedList(filter, page: page)))))
    }

    func getPart(_ input: Operations.GetPart.Input) async throws -> Operations.GetPart.Output {
        guard let details = try await store.details(input.path.sku) else {
            throw CatalogProblems.notFound(input.path.sku)
        }
        return .ok(.init(body: .json(Self.map(details))))
    }

    func updatePart(_ input: Operations.UpdatePart.Input) async throws -> Operations.UpdatePart.Output {
        _ = try await authenticator.require(.admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the changes as JSON.") }
        guard let sku = SKU.normalize(input.path.sku) else { throw CatalogProblems.notFound(input.path.sku) }
        let changes = PartChanges(
            name: body.name, description: body.description, price: body.price.map { ($0.amount, $0.currency) },
            weightGrams: body.weightGrams, attributes: body.attributes?.additionalProperties,
            components: body.components?.map { ($0.sku, $0.quantity) },
            status: body.status.flatMap { PartStatus(rawValue: $0.rawValue) }, category: body.category
        )
        let part = try await store.update(sku, with: changes)
        return .ok(.init(body: .json(try await mapWithDetails(part))))
    }

    func getPartComponents(_ input: Operations.GetPartComponents.Input) async throws
        -> Operations.GetPartComponents.Output
    {
        guard let tree = try await store.componentTree(input.path.sku) else {
            throw CatalogProblems.notFound(input.path.sku)
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        root: Self.map(tree.root),
                        leaves: tree.leaves.map { .init(sku: $0.sku, quantity: $0.quantity) }
                    ))))
    }

    func mapWithDetails(_ part: Part) async throws -> Components.Schemas.Part {
        guard let details = try await store.details(of: [part]).first else { return Self.map(part) }
        return Self.map(details)
    }

    func page(of parts: Page<PartDetails>) -> Components.Schemas.PartPage {
        .init(items: parts.items.map(Self.map), nextCursor: parts.nextCursor)
    }

    static func map(_ details: PartDetails) -> Components.Schemas.Part {
        var part = map(details.part)
        part.category = details.category.map(CategoryTree.display)
        part.supersededBy = details.supersededBy
        part.current = details.current
        return part
    }

    static func map(_ part: Part) -> Components.Schemas.Part {
        Components.Schemas.Part(
            sku: part.sku, name: part.name, description: part.description,
            price: .init(amount: part.price.decimal, currency: part.price.currency),
            kind: part.kind == .bundle ? .bundle : .part,
            status: part.status == .active ? .active : .discontinued,
            weightGrams: part.weightGrams,
            attributes: .init(additionalProperties: part.attributes),
            components: part.components.map { .init(sku: $0.sku, quantity: $0.quantity) },
            createdAt: part.createdAt, updatedAt: part.updatedAt, version: part.version, categoryId: part.categoryId
        )
    }

    static func map(_ node: ComponentTree.Node) -> Components.Schemas.ComponentNode {
        Components.Schemas.ComponentNode(
            sku: node.part.sku, name: node.part.name,
            kind: node.part.kind == .bundle ? .bundle : .part,
            status: node.part.status == .active ? .active : .discontinued,
            quantity: node.quantity, components: node.children.map(map)
        )
    }
}
