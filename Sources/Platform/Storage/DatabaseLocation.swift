import Foundation

/// Where a service's data lives: a SQLite file or a PostgreSQL database.
public enum DatabaseLocation: Sendable, Equatable {
    /// A SQLite database file (created when missing).
    case sqlite(path: String)
    /// A PostgreSQL database; `schema`, when set, becomes the connection's `search_path`.
    case postgres(host: String, port: Int, user: String, password: String?, database: String, schema: String?)

    /// Parses `postgres://user:pass@host:port/db?schema=name`, `sqlite:///path/file.sqlite` or a plain file path.
    public init(parsing text: String) throws(DatabaseError) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            guard let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
                throw .invalidURL(text)
            }
            let database = String(components.path.drop(while: { $0 == "/" }))
            let schema = components.queryItems?.first(where: { $0.name == "schema" })?.value
            self = .postgres(
                host: host,
                port: components.port ?? 5432,
                user: components.user ?? "postgres",
                password: components.password,
                database: database.isEmpty ? (components.user ?? "postgres") : database,
                schema: schema
            )
        } else if text.hasPrefix("sqlite://") {
            let path = String(text.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw .invalidURL(text) }
            self = .sqlite(path: path)
        } else if text.contains("://") {
            throw .invalidURL(text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The engine this location needs.
    public var engine: Engine {
        switch self {
        case .sqlite: .sqlite
        case .postgres: .postgres
        }
    }
}

/// Failures of the storage layer itself (not of a query).
public enum DatabaseError: Error, CustomStringConvertible, Equatable {
    case invalidURL(String)
    case closed
    /// A PostgreSQL statement had no answer in time; its connection was closed.
    case statementDeadline(Duration)
    /// The PostgreSQL connection was closed (by the server, or after a deadline).
    case connectionLost

    public var description: String {
        switch self {
        case .invalidURL(let url): "not a database URL or file path: \(url)"
        case .closed: "the database is closed"
        case .connectionLost: "the connection to PostgreSQL was lost"
        case .statementDeadline(let limit): "no answer from PostgreSQL within \(limit); the connection was closed"
        }
    }
}
