// swift-tools-version:6.1
import Foundation
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// A service contract (`Contracts/<Service>API`, outside `Sources/`: mostly generated code): its OpenAPI
/// document and the types, server and client generated from it into `Generated/` by `scripts/generate-api` (committed, so a build never builds the generator;
/// `ContractDriftTests` fails when a document changed without regenerating).
func api(_ name: String) -> Target {
    .target(
        name: name,
        dependencies: [
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")
        ],
        path: "Contracts/\(name)",
        exclude: ["openapi-generator-config.yaml"],
        resources: [.embedInCode("openapi.yaml")],
        swiftSettings: settings
    )
}

/// A business service: its library `Sources/Services/<name>` (a `ServiceModule`; the files under its
/// `Templates/` are embedded), its contract `Contracts/<name>API` and, when there is one, its test target
/// `Tests/<name>Tests`, with `dependencies` beyond what every service has.
struct Service {
    let name: String
    let dependencies: [Target.Dependency]

    init(_ name: String, _ dependencies: [Target.Dependency] = []) {
        self.name = name
        self.dependencies = dependencies
    }

    var targets: [Target] {
        let templates =
            (try? FileManager.default.contentsOfDirectory(
                atPath: "\(Context.packageDirectory)/Sources/Services/\(name)/Templates")) ?? []
        var targets = [
            api("\(name)API"),
            .target(
                name: name,
                dependencies: [
                    "ServiceKit", "Storage", "Messaging", "IntegrationEvents", .target(name: "\(name)API"),
                    .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                ] + dependencies,
                path: "Sources/Services/\(name)",
                resources: templates.sorted().map { .embedInCode("Templates/\($0)") },
                swiftSettings: settings
            ),
        ]
        if FileManager.default.fileExists(atPath: "\(Context.packageDirectory)/Tests/\(name)Tests") {
            targets.append(
                .testTarget(
                    name: "\(name)Tests",
                    dependencies: [
                        .target(name: name), "ServiceKit", "Storage", "Messaging", "IntegrationEvents", "TestSupport",
                    ] + dependencies,
                    swiftSettings: testSettings
                ))
        }
        return targets
    }
}

/// Every business service. Adding a service is its folders and one line here.
let services: [Service] = [
    Service("Catalog"),
    Service(
        "Customers",
        [
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto"),
        ]),
    Service("Inventory"),
    Service("Orders"),
    Service("Fulfillment", [.product(name: "Mustache", package: "swift-mustache")]),
    Service("Shipping"),
    Service("Billing", [.product(name: "Mustache", package: "swift-mustache")]),
    Service("Sales"),
]

/// The libraries of the services, and of their contracts.
let serviceLibraries: [Target.Dependency] = services.map { .target(name: $0.name) }
let serviceContracts: [Target.Dependency] = services.map { .target(name: "\($0.name)API") }

/// The back office's pages (`Sources/Edge/BackOffice/Templates`), embedded in the binary.
let backOfficeTemplates =
    ((try? FileManager.default.contentsOfDirectory(
        atPath: "\(Context.packageDirectory)/Sources/Edge/BackOffice/Templates")) ?? []).sorted()

/// The test targets' settings. `scripts/test` builds without indexing (`--disable-index-store`: indexing
/// every dependency's C and Swift while building costs a fresh clone's build time), but on Linux the test
/// product's entry point is found from the test modules' index records, so it names the store for them
/// alone in `SPROCKET_TEST_INDEX_STORE`.
let testSettings: [SwiftSetting] =
    settings
    + (Context.environment["SPROCKET_TEST_INDEX_STORE"].map { [.unsafeFlags(["-index-store-path", $0])] } ?? [])

let package = Package(
    name: "sprocket",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sprocket", targets: ["sprocket"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams.git", "5.0.1"..<"7.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL.git", from: "4.3.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: services.flatMap(\.targets) + [
        .executableTarget(
            name: "sprocket",
            dependencies: [
                "Composition", "ServiceKit", "Storage", "Messaging", "GraphQLGateway",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ] + serviceLibraries,
            swiftSettings: settings
        ),
        .target(
            name: "Composition",
            dependencies: [
                "ServiceKit", "Storage", "Messaging", "NATS", "Gateway", "GraphQLGateway", "BackOffice",
                "IntegrationEvents",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Yams", package: "Yams"),
            ] + serviceLibraries + serviceContracts,
            swiftSettings: settings
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "Storage", "Messaging",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Platform/ServiceKit",
            swiftSettings: settings
        ),
        .target(
            name: "Storage",
            dependencies: [
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/Platform/Storage",
            swiftSettings: settings
        ),
        .target(
            name: "Messaging",
            dependencies: [
                "Storage", "IntegrationEvents",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Sources/Platform/Messaging",
            swiftSettings: settings
        ),
        .target(
            name: "NATS",
            dependencies: [
                "Messaging",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/Platform/NATS",
            swiftSettings: settings
        ),
        .target(
            name: "IntegrationEvents",
            path: "Sources/Contracts/IntegrationEvents",
            swiftSettings: settings
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Sources/Edge/Gateway",
            swiftSettings: settings
        ),
        .target(
            name: "BackOffice",
            dependencies: [
                "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Sources/Edge/BackOffice",
            resources: backOfficeTemplates.map { .embedInCode("Templates/\($0)") },
            swiftSettings: settings
        ),
        .target(
            name: "GraphQLGateway",
            dependencies: [
                "ServiceKit", "CatalogAPI", "CustomersAPI", "OrdersAPI", "InventoryAPI", "FulfillmentAPI",
                "ShippingAPI",
                "BillingAPI",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            path: "Sources/Edge/GraphQL",
            swiftSettings: settings
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: ["Storage", "TestSupport"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "MessagingTests",
            dependencies: [
                "Messaging", "Storage", "IntegrationEvents", "TestSupport",
                .product(name: "InMemoryLogging", package: "swift-log"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ServiceKit", "Storage", "Messaging", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "NATSTests",
            dependencies: ["NATS", "Messaging", "Storage", "TestSupport"],
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "DistributedTests",
            dependencies: [
                "Storage", "TestSupport", "Composition", "ServiceKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ] + serviceContracts,
            swiftSettings: testSettings
        ),
        .testTarget(
            name: "SystemTests",
            dependencies: [
                "Composition", "ServiceKit", "Storage", "Messaging", "IntegrationEvents", "TestSupport",
                "GraphQLGateway", "Gateway",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ] + serviceLibraries + serviceContracts,
            swiftSettings: testSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "Storage", .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: settings
        ),
    ]
)
