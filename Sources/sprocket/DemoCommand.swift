import ArgumentParser
import Composition

/// `sprocket demo`: loads the sample catalog and demo accounts.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Load the demo catalog and accounts.")

    @OptionGroup var options: SystemOptions

    func run() async throws {
        let loaded = try await EmbeddedSystem.with(options.configuration(), logger: options.makeLogger()) { system in
            try await DemoData.load(into: system)
        }
        print(
            "Demo data: \(loaded.parts) new parts, \(loaded.accounts) new accounts. Demo accounts (email / password):")
        print(DemoData.accountSummary)
    }
}
