import Foundation
import Orders
import Storage

/// Everything a Sprocket process is configured with (from flags, then `SPROCKET_*` variables, then defaults).
public struct SystemConfiguration: Sendable {
    /// Interface to listen on.
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// Folder of the SQLite files in embedded mode.
    public var dataDirectory: String = "./data"
    /// A PostgreSQL URL; in embedded mode each service gets its own schema in it.
    public var databaseURL: String?
    /// The store currency (ISO 4217) every price is in.
    public var currency: String = "EUR"
    /// Tax rates by billing country.
    public var taxes = TaxTable()
    /// Lifetime of access tokens, in seconds.
    public var tokenLifetime: TimeInterval = 3600
    /// bcrypt work factor.
    public var bcryptCost: UInt8 = 12
    /// Load the demo data at start.
    public var loadDemo: Bool = false

    public init() {}

    /// Where `service` keeps its data under this configuration.
    public func databaseLocation(for service: String) throws -> DatabaseLocation {
        if let databaseURL {
            let location = try DatabaseLocation(parsing: databaseURL)
            if case .postgres(let host, let port, let user, let password, let database, let schema) = location {
                return .postgres(
                    host: host, port: port, user: user, password: password, database: database,
                    schema: schema.map { "\($0)_\(service)" } ?? service
                )
            }
            throw DatabaseError.invalidURL("\(databaseURL) (embedded mode takes a postgres:// URL or --data-dir)")
        }
        return .sqlite(path: URL(fileURLWithPath: dataDirectory).appendingPathComponent("\(service).sqlite").path)
    }
}
