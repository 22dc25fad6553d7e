import Hummingbird
import NIOCore

extension Response {
    /// The whole body of a response made in this process (a REST route called by GraphQL or the back
    /// office), as bytes.
    public func collectedBody() async throws -> ByteBuffer {
        let collector = BodyCollector()
        try await body.write(collector)
        return await collector.buffer
    }
}

/// Collects a response body written by a route.
private actor BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
