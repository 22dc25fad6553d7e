import CatalogAPI
import GraphQL
import ServiceKit

/// The catalog in the schema: parts (and kits), models, categories, and what fits what.
struct CatalogTypes {
    let part: GraphQLObjectType
    let model: GraphQLObjectType
    let category: GraphQLObjectType
    let partConnection: GraphQLObjectType
    let modelConnection: GraphQLObjectType
    let fitmentConnection: GraphQLObjectType

    static let partStatus = SchemaParts.enumeration("PartStatus", ["active", "discontinued"])
    static let partKind = SchemaParts.enumeration("PartKind", ["part", "bundle"], "A plain part, or a kit of parts.")
    static let modelKind = SchemaParts.enumeration("ModelKind", ["car", "truck", "appliance"])

    init(delivery: DeliveryTypes) throws {
        typealias S = SchemaParts
        let part = try GraphQLObjectType(name: "Part", description: "A part or a kit (`kind: bundle`).", fields: [:])
        let model = try GraphQLObjectType(name: "Model", description: "A car, truck or appliance model.", fields: [:])
        let componentLine = try GraphQLObjectType(
            name: "ComponentLine", description: "One line of a kit's recipe.",
            fields: [
                "sku": S.member(S.required(GraphQLString)), "quantity": S.member(S.required(GraphQLInt)),
                "part": S.field(part, "The component itself.") { source, _, resolution in
                    guard let sku = (source as? JSONNode)?.string("sku") else { return nil }
                    return try await resolution.part(sku)
                },
            ])
        let attribute = try GraphQLObjectType(
            name: "Attribute",
            fields: ["name": S.member(S.required(GraphQLString)), "value": S.member(S.required(GraphQLString))])
        let fitment = try GraphQLObjectType(
            name: "Fitment", description: "Where and how a part fits a model.",
            fields: [
                "model": S.member(S.required(model)), "position": S.member(GraphQLString),
                "quantity": S.member(GraphQLInt), "note": S.member(GraphQLString),
            ])
        self.part = part
        self.model = model
        self.partConnection = try S.connection(of: part)
        self.modelConnection = try S.connection(of: model)
        self.fitmentConnection = try S.connection(of: fitment)
        self.category = try GraphQLObjectType(
            name: "Category",
            fields: [
                "id": S.member(S.required(GraphQLString)), "name": S.member(S.required(GraphQLString)),
                "parentId": S.member(GraphQLString), "path": S.member(S.required(GraphQLString), "e.g. Brakes › Pads"),
            ])
        let partConnection = self.partConnection
        let fitmentConnection = self.fitmentConnection
        part.fields = {
            [
                "sku": S.member(S.required(GraphQLString)), "name": S.member(S.required(GraphQLString)),
                "description": S.member(S.required(GraphQLString)), "price": S.member(S.required(S.money)),
                "kind": S.member(S.required(Self.partKind)), "status": S.member(S.required(Self.partStatus)),
                "weightGrams": S.member(GraphQLInt),
                "attributes": S.field(S.list(attribute)) { source, _, _ in
                    guard case .dictionary(let members)? = (source as? JSONNode)?.members["attributes"] else {
                        return [] as [(any Sendable)?]
                    }
                    return members.map { ["name": Map.string($0.key), "value": $0.value] as [String: any Sendable] }
                        as [(any Sendable)?]
                },
                "components": S.member(S.list(componentLine), "A kit's recipe; empty for a plain part."),
                "category": S.member(GraphQLString, "The category path, e.g. Brakes › Pads."),
                "categoryId": S.member(GraphQLString),
                "supersededBy": S.member(GraphQLString, "The SKU that replaces this part directly."),
                "current": S.member(GraphQLString, "The part to sell instead: the newest active one of its chain."),
                "createdAt": S.member(S.required(S.dateTime)), "updatedAt": S.member(S.required(S.dateTime)),
                "version": S.member(S.required(GraphQLInt)),
                "availability": S.field(
                    delivery.availability, "Stock: what can be ordered now (per warehouse for staff and admin)."
                ) { source, _, resolution in
                    guard let sku = (source as? JSONNode)?.string("sku") else { return nil }
                    return try await resolution.availability(sku)
                },
                "models": S.field(
                    S.required(fitmentConnection), "The models this part fits.", args: S.pageArguments
                ) { source, args, resolution in
                    guard let sku = (source as? JSONNode)?.string("sku") else { return nil }
                    let output = try await resolution.call {
                        try await resolution.upstreams.catalog.listPartModels(
                            .init(
                                path: .init(sku: sku),
                                query: .init(limit: try S.first(args), cursor: args["after"].text)))
                    }
                    return S.connection(try JSONNode.from(try output.ok.body.json)) { _ in nil }
                },
            ]
        }
        model.fields = {
            [
                "id": S.member(S.required(GraphQLString)), "kind": S.member(S.required(Self.modelKind)),
                "make": S.member(S.required(GraphQLString)), "model": S.member(S.required(GraphQLString)),
                "variant": S.member(GraphQLString), "engine": S.member(GraphQLString),
                "yearFrom": S.member(GraphQLInt), "yearTo": S.member(GraphQLInt),
                "modelNumber": S.member(GraphQLString), "createdAt": S.member(S.required(S.dateTime)),
                "parts": S.field(
                    S.required(partConnection), "The parts (and kits) that fit this model.",
                    args: S.paged([
                        "q": GraphQLArgument(type: GraphQLString, description: "Words in SKU, name or description."),
                        "category": GraphQLArgument(
                            type: GraphQLString, description: "A category id: it and those below."),
                    ])
                ) { source, args, resolution in
                    guard let id = (source as? JSONNode)?.string("id") else { return nil }
                    let output = try await resolution.call {
                        try await resolution.upstreams.catalog.listModelParts(
                            .init(
                                path: .init(modelId: id),
                                query: .init(
                                    q: args["q"].text, category: args["category"].text, limit: try S.first(args),
                                    cursor: args["after"].text)))
                    }
                    let page = try JSONNode.from(try output.ok.body.json)
                    resolution.expectParts(in: page, list: "components")
                    return S.connection(page) { $0.string("sku") }
                },
            ]
        }
    }
}
