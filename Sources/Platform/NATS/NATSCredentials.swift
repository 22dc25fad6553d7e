extension NATSClient {
    /// How the client proves who it is in CONNECT (from `nats://user:password@host` or `nats://token@host`).
    public enum Credentials: Sendable, Equatable {
        case user(String, password: String)
        case token(String)
    }
}
