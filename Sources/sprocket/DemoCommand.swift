import ArgumentParser
import System

/// `sprocket demo`: loads the sample catalog and demo accounts.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Load the demo catalog and accounts.")

    @OptionGroup var options: SystemOptions

    func run() async throws {
        let system = try await EmbeddedSystem.build(options.configuration(), logger: options.makeLogger())
        do {
            let loaded = try await DemoData.load(into: system)
            await system.close()
            print(
                "Demo data: \(loaded.parts) new parts, \(loaded.accounts) new accounts. Demo accounts (email / password):"
            )
            print(DemoData.accountSummary)
        } catch {
            await system.close()
            throw error
        }
    }
}
