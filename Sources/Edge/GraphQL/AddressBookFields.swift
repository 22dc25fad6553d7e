import CustomersAPI
import GraphQL
import ServiceKit

/// The signed-in account's address book: the `addresses` query and its mutations, over
/// `/customers/me/addresses`.
struct AddressBookFields {
    let entry: GraphQLObjectType
    let query: GraphQLFieldMap
    let mutations: GraphQLFieldMap

    init(accounts: AccountTypes) throws {
        typealias S = SchemaParts
        let entry = try GraphQLObjectType(
            name: "AddressEntry", description: "An address of the signed-in account's book.",
            fields: [
                "id": S.member(S.required(GraphQLString)), "label": S.member(GraphQLString),
                "address": S.member(S.required(S.address)),
                "defaultShipping": S.member(S.required(GraphQLBoolean)),
                "defaultBilling": S.member(S.required(GraphQLBoolean)),
                "createdAt": S.member(S.required(S.dateTime)), "updatedAt": S.member(S.required(S.dateTime)),
            ])
        self.entry = entry
        query = [
            "addresses": S.field(
                S.list(entry), "The signed-in account's address book, oldest first; the defaults are marked."
            ) { _, _, resolution in
                let output = try await resolution.call {
                    try await resolution.upstreams.customers.listAddresses(.init())
                }
                return try JSONNode.from(try output.ok.body.json)["items"]
            }
        ]
        let flags: GraphQLArgumentConfigMap = [
            "label": GraphQLArgument(type: GraphQLString, description: "A name of your own; empty removes it."),
            "defaultShipping": GraphQLArgument(type: GraphQLBoolean),
            "defaultBilling": GraphQLArgument(type: GraphQLBoolean),
        ]
        var addArguments: GraphQLArgumentConfigMap = [
            "address": GraphQLArgument(type: S.required(accounts.addressInput))
        ]
        var updateArguments: GraphQLArgumentConfigMap = [
            "id": GraphQLArgument(type: S.required(GraphQLString)),
            "address": GraphQLArgument(type: accounts.addressInput, description: "Replaces the whole address."),
        ]
        for (name, argument) in flags {
            addArguments[name] = argument
            updateArguments[name] = argument
        }
        mutations = [
            "addAddress": S.field(
                S.required(entry),
                "Adds an address; it becomes a default when asked, or when the book has none of that kind.",
                args: addArguments
            ) { _, args, resolution in
                let body = try JSONNode.decode(CustomersAPI.Components.Schemas.NewAddressEntry.self, from: args)
                let output = try await resolution.call {
                    try await resolution.upstreams.customers.addAddress(.init(body: .json(body)))
                }
                return try JSONNode.from(try output.created.body.json)
            },
            "updateAddress": S.field(
                S.required(entry), "Changes an address, its label, or whether it is a default.", args: updateArguments
            ) { _, args, resolution in
                let body = try JSONNode.decode(CustomersAPI.Components.Schemas.AddressEntryChanges.self, from: args)
                let output = try await resolution.call {
                    try await resolution.upstreams.customers.updateAddress(
                        .init(path: .init(addressId: args["id"].text ?? ""), body: .json(body)))
                }
                return try JSONNode.from(try output.ok.body.json)
            },
            "deleteAddress": S.field(
                S.required(GraphQLBoolean), "Removes an address (a default leaves the book without one).",
                args: ["id": GraphQLArgument(type: S.required(GraphQLString))]
            ) { _, args, resolution in
                _ = try await resolution.call {
                    try await resolution.upstreams.customers.deleteAddress(
                        .init(path: .init(addressId: args["id"].text ?? "")))
                }
                return Map.bool(true)
            },
        ]
    }
}
