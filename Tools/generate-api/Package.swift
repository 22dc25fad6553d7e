// swift-tools-version:6.1
// Builds swift-openapi-generator's command-line tool for scripts/generate-api. It is a package of its own
// so that building Sprocket never builds the generator (its first build takes minutes).
import PackageDescription

let package = Package(
    name: "generate-api",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator.git", exact: "1.14.3")
    ]
)
