import CatalogAPI
import GraphQL
import InventoryAPI
import OrderedCollections
import ServiceKit

/// Staff's catalog and stock changes: `createPart`, `updatePart` (admin, as in the catalog API) and
/// `adjustStock` (staff and admin). The legacy schema's `createProduct` and `updateInventory` run through
/// the same calls.
struct StaffMutations {
    let fields: GraphQLFieldMap

    init(catalog: CatalogTypes) throws {
        typealias S = SchemaParts
        let money = try GraphQLInputObjectType(
            name: "MoneyInput",
            fields: [
                "amount": InputObjectField(type: S.required(GraphQLString), description: "Decimal, e.g. \"12.50\"."),
                "currency": InputObjectField(type: S.required(GraphQLString), description: "The store's, e.g. EUR."),
            ])
        let component = try GraphQLInputObjectType(
            name: "ComponentInput",
            fields: [
                "sku": InputObjectField(type: S.required(GraphQLString)),
                "quantity": InputObjectField(type: S.required(GraphQLInt)),
            ])
        let attribute = try GraphQLInputObjectType(
            name: "AttributeInput",
            fields: [
                "name": InputObjectField(type: S.required(GraphQLString)),
                "value": InputObjectField(type: S.required(GraphQLString)),
            ])
        func partFields(new: Bool) -> InputObjectFieldMap {
            var fields: InputObjectFieldMap = [
                "name": InputObjectField(type: new ? S.required(GraphQLString) : GraphQLString),
                "description": InputObjectField(type: GraphQLString),
                "price": InputObjectField(type: new ? S.required(money) : money),
                "weightGrams": InputObjectField(type: GraphQLInt),
                "category": InputObjectField(type: GraphQLString, description: "A path, e.g. \"Brakes › Pads\"."),
                "components": InputObjectField(
                    type: GraphQLList(GraphQLNonNull(component)), description: "Makes the part a kit of these."),
                "attributes": InputObjectField(type: GraphQLList(GraphQLNonNull(attribute))),
            ]
            if new { fields["sku"] = InputObjectField(type: S.required(GraphQLString)) }
            if !new { fields["status"] = InputObjectField(type: CatalogTypes.partStatus) }
            return fields
        }
        let newPart = try GraphQLInputObjectType(name: "NewPartInput", fields: partFields(new: true))
        let partChanges = try GraphQLInputObjectType(name: "PartChangesInput", fields: partFields(new: false))
        let stockRow = try GraphQLObjectType(
            name: "StockRow", description: "One SKU in one warehouse, after a change.",
            fields: [
                "warehouse": S.member(S.required(GraphQLString)), "sku": S.member(S.required(GraphQLString)),
                "onHand": S.member(S.required(GraphQLInt)), "reserved": S.member(S.required(GraphQLInt)),
                "available": S.member(S.required(GraphQLInt)), "bin": S.member(GraphQLString),
                "reorderPoint": S.member(GraphQLInt), "updatedAt": S.member(S.required(S.dateTime)),
            ])
        fields = [
            "createPart": S.field(
                S.required(catalog.part), "Creates a part, or a kit with `components` (admin).",
                args: [
                    "part": GraphQLArgument(type: S.required(newPart)),
                    "idempotencyKey": GraphQLArgument(type: GraphQLString),
                ]
            ) { _, args, resolution in
                let part = try JSONNode.decode(
                    CatalogAPI.Components.Schemas.NewPart.self, from: Self.part(args["part"]))
                return try await Self.createPart(part, key: args["idempotencyKey"].text, resolution)
            },
            "updatePart": S.field(
                S.required(catalog.part), "Changes a part: only the fields given (admin).",
                args: [
                    "sku": GraphQLArgument(type: S.required(GraphQLString)),
                    "changes": GraphQLArgument(type: S.required(partChanges)),
                ]
            ) { _, args, resolution in
                let changes = try JSONNode.decode(
                    CatalogAPI.Components.Schemas.PartChanges.self, from: Self.part(args["changes"]))
                let output = try await resolution.call {
                    try await resolution.upstreams.catalog.updatePart(
                        .init(path: .init(sku: args["sku"].text ?? ""), body: .json(changes)))
                }
                return try JSONNode.from(try output.ok.body.json)
            },
            "adjustStock": S.field(
                S.required(stockRow),
                """
                Adds or removes units (`delta`), or records a count (`onHand`), with a reason (staff, admin); \
                without `warehouse`, in the default warehouse.
                """,
                args: [
                    "sku": GraphQLArgument(type: S.required(GraphQLString)),
                    "warehouse": GraphQLArgument(type: GraphQLString, description: "A code; the default when absent."),
                    "delta": GraphQLArgument(type: GraphQLInt),
                    "onHand": GraphQLArgument(type: GraphQLInt),
                    "reason": GraphQLArgument(type: S.required(GraphQLString)),
                    "idempotencyKey": GraphQLArgument(type: GraphQLString),
                ]
            ) { _, args, resolution in
                let reason = args["reason"].text ?? ""
                let change: StockChange
                switch (args["delta"].int, args["onHand"].int) {
                case (let delta?, nil): change = .delta(.init(delta: delta, reason: reason))
                case (nil, let onHand?): change = .count(.init(onHand: onHand, reason: reason))
                default:
                    throw Problem.validation([
                        FieldError(
                            field: "delta",
                            message: "give exactly one of delta (units added or removed) and onHand (a count)")
                    ])
                }
                return try await Self.adjustStock(
                    sku: args["sku"].text ?? "", warehouse: args["warehouse"].text, change,
                    key: args["idempotencyKey"].text, resolution)
            },
        ]
    }

    /// A part input as the catalog API's JSON: `attributes` as an object.
    static func part(_ input: Map) -> Map {
        guard case .dictionary(var members) = input else { return input }
        if case .array(let attributes)? = members["attributes"] {
            var object = OrderedDictionary<String, Map>()
            for attribute in attributes { if let name = attribute["name"].text { object[name] = attribute["value"] } }
            members["attributes"] = .dictionary(object)
        }
        return .dictionary(members)
    }

    /// Creates `part` in the catalog.
    static func createPart(
        _ part: CatalogAPI.Components.Schemas.NewPart, key: String?, _ resolution: Resolution
    ) async throws -> JSONNode {
        let output = try await resolution.call {
            try await resolution.upstreams.catalog.createPart(
                .init(headers: .init(idempotencyKey: key), body: .json(part)))
        }
        return try JSONNode.from(try output.created.body.json)
    }

    /// A change of on-hand stock: units added or removed, or a count.
    enum StockChange {
        case delta(InventoryAPI.Components.Schemas.Adjustment)
        case count(InventoryAPI.Components.Schemas.StockCount)
    }

    /// Changes the stock of `sku` in `warehouse`, or in the default warehouse (looked up) when `nil`.
    static func adjustStock(
        sku: String, warehouse: String?, _ change: StockChange, key: String?, _ resolution: Resolution
    ) async throws -> JSONNode {
        let code: String
        if let warehouse {
            code = warehouse
        } else {
            let list = try await resolution.call { try await resolution.upstreams.inventory.listWarehouses(.init()) }
            guard let found = try list.ok.body.json.items.first(where: \._default)?.code else {
                throw Problem.conflict("inventory.no_warehouse", "There is no warehouse yet: create one first.")
            }
            code = found
        }
        switch change {
        case .delta(let adjustment):
            let output = try await resolution.call {
                try await resolution.upstreams.inventory.adjustStock(
                    .init(
                        path: .init(code: code, sku: sku), headers: .init(idempotencyKey: key), body: .json(adjustment))
                )
            }
            return try JSONNode.from(try output.ok.body.json)
        case .count(let count):
            let output = try await resolution.call {
                try await resolution.upstreams.inventory.countStock(
                    .init(path: .init(code: code, sku: sku), headers: .init(idempotencyKey: key), body: .json(count)))
            }
            return try JSONNode.from(try output.ok.body.json)
        }
    }
}
