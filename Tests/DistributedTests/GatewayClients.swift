import Composition

extension Clients {
    /// The generated clients calling `gateway` over HTTP as the holder of `token` (or anonymously).
    init(gateway: String, token: String? = nil) {
        self.init(transport: HTTPClientTransport(), server: gateway, token: token)
    }
}
