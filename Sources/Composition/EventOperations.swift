import Foundation
import Logging
import Messaging
import ServiceKit
import Storage

/// What operators do with events that did not get through: list dead letters and parked outbox rows,
/// and replay them. The same in both modes: over the embedded system's databases, or over one
/// service's own database (distributed mode).
public struct EventOperations: Sendable {
    /// One service's database and the consumers that may replay its dead letters.
    public struct Scope: Sendable {
        public let service: ServiceName
        public let database: Database
        public let consumers: [EventConsumer]

        public init(service: ServiceName, database: Database, consumers: [EventConsumer]) {
            self.service = service
            self.database = database
            self.consumers = consumers
        }
    }

    /// A dead letter or a parked outbox row, with the id `redrive` takes.
    public struct Entry: Sendable {
        /// `SERVICE/SEQ` for a dead letter, `SERVICE/outbox/EVENT-ID` for a parked outbox row.
        public let id: String
        public let consumer: String
        public let type: String
        public let attempts: Int
        public let error: String
        public let at: Date
        public let eventID: String
    }

    public let scopes: [Scope]

    public init(scopes: [Scope]) {
        self.scopes = scopes
    }

    /// The scopes of every service of `system`.
    public init(system: EmbeddedSystem) {
        self.init(
            scopes: ServiceName.allCases.compactMap { name in
                guard let database = system.databases[name], let service = system.services[name] else { return nil }
                return Scope(service: name, database: database, consumers: service.consumers)
            })
    }

    /// Every dead letter not yet redriven and every parked outbox row, per service, oldest first.
    public func list() async throws -> [Entry] {
        var entries: [Entry] = []
        for scope in scopes {
            for letter in try await DeadLetters.list(in: scope.database) {
                entries.append(
                    Entry(
                        id: "\(scope.service.rawValue)/\(letter.seq)", consumer: letter.consumer, type: letter.type,
                        attempts: letter.attempts, error: letter.error, at: letter.failedAt, eventID: letter.eventID))
            }
            for row in try await Outbox.parked(in: scope.database) {
                entries.append(
                    Entry(
                        id: "\(scope.service.rawValue)/outbox/\(row.eventID)", consumer: "(outbox relay)",
                        type: row.type, attempts: row.attempts, error: row.error, at: row.parkedAt,
                        eventID: row.eventID))
            }
        }
        return entries
    }

    /// Replays one entry (`id` from ``list()``), or every entry when `id` is `nil`. Returns how many
    /// were replayed and the failures (each failed replay stays listed, with its new error).
    public func redrive(_ id: String?) async throws -> (replayed: Int, failures: [(id: String, error: String)]) {
        var replayed = 0
        var failures: [(String, String)] = []
        var matched = id == nil
        for entry in try await list() where id == nil || entry.id == id {
            matched = true
            let parts = entry.id.split(separator: "/").map(String.init)
            guard let scope = scopes.first(where: { $0.service.rawValue == parts[0] }) else { continue }
            if parts.count == 3 {
                replayed += try await Outbox.unpark(parts[2], in: scope.database)
                continue
            }
            guard let seq = Int(parts[1]), let consumer = scope.consumers.first(where: { $0.name == entry.consumer })
            else {
                failures.append((entry.id, "no consumer \(entry.consumer) in the \(scope.service.rawValue) service"))
                continue
            }
            do {
                if try await DeadLetters.redrive(seq: seq, through: consumer) { replayed += 1 }
            } catch {
                failures.append((entry.id, String(describing: error)))
            }
        }
        if !matched, let id { throw ConfigurationError(description: "no dead letter or parked row \(id)") }
        return (replayed, failures)
    }
}
