import CatalogAPI
import Foundation
import ServiceKit
import Storage

/// The graph endpoints: models, fitments, supersessions and categories.
extension CatalogHandler {
    func createModel(_ input: Operations.CreateModel.Input) async throws -> Operations.CreateModel.Output {
        _ = try await authenticator.require(.admin)
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the model as JSON.") }
        let model = try VehicleModel.create(
            kind: Self.kind(body.kind), make: body.make, model: body.model,
            variant: body.variant, engine: body.engine, yearFrom: body.yearFrom, yearTo: body.yearTo,
            modelNumber: body.modelNumber, id: body.id ?? UUIDv7.make(), now: .storageNow)
        return .created(.init(body: .json(Self.map(try await store.createModel(model)))))
    }

    func listModels(_ input: Operations.ListModels.Input) async throws -> Operations.ListModels.Output {
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor, keyCount: 1)
        let result = try await store.models(
            query: input.query.q, kind: input.query.kind.flatMap { ModelKind(rawValue: $0.rawValue) },
            make: input.query.make, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Self.map), nextCursor: result.nextCursor))))
    }

    func getModel(_ input: Operations.GetModel.Input) async throws -> Operations.GetModel.Output {
        guard let model = try await store.model(input.path.modelId) else {
            throw CatalogProblems.modelNotFound(input.path.modelId)
        }
        return .ok(.init(body: .json(Self.map(model))))
    }

    func listModelParts(_ input: Operations.ListModelParts.Input) async throws -> Operations.ListModelParts.Output {
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor, keyCount: 1)
        let filter = PartFilter(query: input.query.q, fits: input.path.modelId, categoryId: input.query.category)
        return .ok(.init(body: .json(self.page(of: try await store.detailedList(filter, page: page)))))
    }

    func listPartModels(_ input: Operations.ListPartModels.Input) async throws -> Operations.ListPartModels.Output {
        guard let sku = SKU.normalize(input.path.sku) else { throw CatalogProblems.notFound(input.path.sku) }
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor, keyCount: 1)
        let result = try await store.models(fitting: sku, page: page)
        let items = result.items.map {
            Components.Schemas.PartFitment(model: Self.map($0.model), fitment: Self.map($0.fitment))
        }
        return .ok(.init(body: .json(.init(items: items, nextCursor: result.nextCursor))))
    }

    func fitPart(_ input: Operations.FitPart.Input) async throws -> Operations.FitPart.Output {
        _ = try await authenticator.require(.admin)
        guard let sku = SKU.normalize(input.path.sku) else { throw CatalogProblems.notFound(input.path.sku) }
        var details: Components.Schemas.FitmentDetails?
        if case .json(let body)? = input.body { details = body }
        let fitment = try Fitment.create(
            sku: sku, modelId: input.path.modelId, position: details?.position, quantity: details?.quantity,
            note: details?.note)
        return .ok(.init(body: .json(Self.map(try await store.fit(fitment)))))
    }

    func unfitPart(_ input: Operations.UnfitPart.Input) async throws -> Operations.UnfitPart.Output {
        _ = try await authenticator.require(.admin)
        guard let sku = SKU.normalize(input.path.sku), try await store.unfit(sku: sku, modelId: input.path.modelId)
        else { throw CatalogProblems.fitmentNotFound(input.path.sku, input.path.modelId) }
        return .noContent(.init())
    }

    func supersedePart(_ input: Operations.SupersedePart.Input) async throws -> Operations.SupersedePart.Output {
        _ = try await authenticator.require(.admin)
        guard let sku = SKU.normalize(input.path.sku) else { throw CatalogProblems.notFound(input.path.sku) }
        guard let newSku = SKU.normalize(input.path.newSku) else { throw CatalogProblems.notFound(input.path.newSku) }
        try await store.supersede(sku, by: newSku)
        guard let details = try await store.details(sku) else { throw CatalogProblems.notFound(sku) }
        return .ok(.init(body: .json(Self.map(details))))
    }

    func listCategories(_ input: Operations.ListCategories.Input) async throws -> Operations.ListCategories.Output {
        let items = try await store.categories().map {
            Components.Schemas.CategoryItem(
                id: $0.id, name: $0.name, parentId: $0.parentId, path: CategoryTree.display($0.path))
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    static func kind(_ kind: Components.Schemas.ModelKind) -> ModelKind {
        switch kind {
        case .car: .car
        case .truck: .truck
        case .appliance: .appliance
        }
    }

    static func kind(_ kind: ModelKind) -> Components.Schemas.ModelKind {
        switch kind {
        case .car: .car
        case .truck: .truck
        case .appliance: .appliance
        }
    }

    static func map(_ model: VehicleModel) -> Components.Schemas.Model {
        Components.Schemas.Model(
            id: model.id, kind: kind(model.kind), make: model.make,
            model: model.model, variant: model.variant, engine: model.engine, yearFrom: model.yearFrom,
            yearTo: model.yearTo, modelNumber: model.modelNumber, createdAt: model.createdAt)
    }

    static func map(_ fitment: Fitment) -> Components.Schemas.Fitment {
        Components.Schemas.Fitment(
            sku: fitment.sku, modelId: fitment.modelId, position: fitment.position, quantity: fitment.quantity,
            note: fitment.note)
    }
}
