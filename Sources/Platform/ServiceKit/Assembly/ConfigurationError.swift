/// A process was configured wrongly (flags or `SPROCKET_*` variables).
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) {
        self.description = description
    }
}
