import ArgumentParser

/// `sprocket wait SECONDS`: a pause, for a Kubernetes preStop hook in an image without a shell.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait", abstract: "Wait a number of seconds (a preStop hook: the image has no shell).")

    @Argument(help: "Seconds to wait (0 to 300).")
    var seconds: Int

    func validate() throws {
        guard (0...300).contains(seconds) else { throw ValidationError("wait takes 0 to 300 seconds") }
    }

    func run() async throws {
        try await Task.sleep(for: .seconds(seconds))
    }
}
