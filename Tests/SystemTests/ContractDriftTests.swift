import Composition
import Crypto
import Foundation
import GraphQLGateway
import Testing

/// The generated types, server and client under `Contracts/<Service>API/Generated/` are committed
/// (a build never runs the generator). They must come from the documents as they are now: run
/// `scripts/generate-api` after changing an `openapi.yaml` or its generator config.
@Suite("Generated contract code matches its OpenAPI documents")
struct ContractDriftTests {
    /// Every contract target (`Contracts/<Service>API`) and the hash its generated code was made from.
    static let generatedFrom: [String: String] = Dictionary(
        uniqueKeysWithValues: ServiceName.allCases.map {
            ($0.rawValue.prefix(1).uppercased() + $0.rawValue.dropFirst() + "API", $0.module.contractGeneratedFrom)
        })

    static let contracts = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Contracts")

    @Test func everyContractWasGeneratedFromItsCurrentDocument() throws {
        let targets = try FileManager.default.contentsOfDirectory(atPath: Self.contracts.path)
            .filter { $0.hasSuffix("API") }.sorted()
        #expect(targets == Self.generatedFrom.keys.sorted(), "a contract target is missing here or on disk")
        for target in targets {
            let folder = Self.contracts.appendingPathComponent(target)
            let bytes =
                try Data(contentsOf: folder.appendingPathComponent("openapi.yaml"))
                + Data(contentsOf: folder.appendingPathComponent("openapi-generator-config.yaml"))
            let hash = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            #expect(
                hash == Self.generatedFrom[target],
                "\(target)/Generated is stale: run scripts/generate-api after changing its openapi.yaml")
        }
    }

    /// `Contracts/GraphQL/schema.graphql` (and `legacy.graphql`, the legacy schema at `/graphql/legacy`) are
    /// the schemas the code builds, printed. After changing one,
    /// `SPROCKET_WRITE_SCHEMA=1 swift test --filter theGraphQLSchemaFile` writes them anew.
    @Test(arguments: ["schema.graphql", "legacy.graphql"])
    func theGraphQLSchemaFileIsTheSchemaTheCodeBuilds(name: String) throws {
        let file = Self.contracts.appendingPathComponent("GraphQL/\(name)")
        let printed = (name == "legacy.graphql" ? LegacySchema.printed : SprocketSchema.printed) + "\n"
        if ProcessInfo.processInfo.environment["SPROCKET_WRITE_SCHEMA"] == "1" {
            try printed.write(to: file, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: file, encoding: .utf8)
        #expect(
            committed == printed,
            "\(name) differs from the schema the code builds: run SPROCKET_WRITE_SCHEMA=1 swift test --filter theGraphQLSchemaFile"
        )
    }
}
