import AsyncHTTPClient
import Foundation
import Gateway
import Logging
import Metrics
import SQLKit
import ServiceKit
import ServiceLifecycle
import Storage

/// The loops that keep a gateway's ``RegionState`` true (regions, distributed mode): at home, a
/// heartbeat committed every second (so a replica's last replayed commit says how old its data is) and
/// the log position a write's answer carries; in a region, the replica's replayed position and the
/// reachability of home.
enum RegionLoops {
    /// A loop of `pass` every `every` until graceful shutdown.
    struct Loop: Service {
        let every: Duration
        let pass: @Sendable () async -> Void

        func run() async throws {
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await pass()
                    try? await Task.sleep(for: every)
                }
            }
        }
    }

    /// Home: commits the region's heartbeat row every second on the home database server.
    static func heartbeat(region: String, database: Database, logger: Logger) -> Loop {
        Loop(every: .seconds(1)) {
            do {
                try await database.transaction(signalling: false) { db in
                    try await db.raw(
                        """
                        CREATE TABLE IF NOT EXISTS sprocket_region_heartbeat (
                            region TEXT PRIMARY KEY, beat_at DOUBLE PRECISION NOT NULL)
                        """
                    ).run()
                    try await db.raw(
                        """
                        INSERT INTO sprocket_region_heartbeat (region, beat_at) VALUES (\(bind: region), \(bind: Date().timeIntervalSince1970))
                        ON CONFLICT (region) DO UPDATE SET beat_at = EXCLUDED.beat_at
                        """
                    ).run()
                }
            } catch {
                logger.warning("region heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Home: the server's current log position, which a write's answer carries.
    static func position(_ database: Database) -> @Sendable () async throws -> WALPosition {
        {
            try await database.read { db in
                let row = try await db.raw("SELECT pg_current_wal_lsn()::text AS position").first()
                guard let text = try row?.decode(column: "position", as: String.self), let position = WALPosition(text)
                else { throw ConfigurationError(description: "PostgreSQL gave no log position") }
                return position
            }
        }
    }

    /// A region: reads how far its replica has replayed, and when home committed what it replayed last,
    /// every 10 ms (a read waiting for its token is answered as soon as the replica has it).
    static func replica(_ database: Database, state: RegionState, logger: Logger) -> Loop {
        Loop(every: .milliseconds(10)) {
            do {
                let (replayed, committedAt) = try await database.read { db -> (String?, Double?) in
                    let row = try await db.raw(
                        """
                        SELECT pg_last_wal_replay_lsn()::text AS replayed,
                               extract(epoch FROM pg_last_xact_replay_timestamp())::float8 AS committed_at
                        """
                    ).first()
                    return (
                        try row?.decode(column: "replayed", as: String?.self),
                        try row?.decode(column: "committed_at", as: Double?.self)
                    )
                }
                state.replicaRead(replayed: replayed.flatMap { WALPosition($0) }, committedAt: committedAt)
                if let age = state.dataAge() {
                    Gauge(label: "sprocket_region_data_age_seconds", dimensions: [("region", state.name)]).record(age)
                }
            } catch {
                state.replicaRead(replayed: nil, committedAt: nil)
                logger.debug("the region's replica cannot be read", metadata: ["error": "\(error)"])
            }
        }
    }

    /// A region: whether home's gateway answers `/health/live` within a second, probed every second.
    static func homeProbe(_ homeURL: String, client: HTTPClient, state: RegionState, logger: Logger) -> Loop {
        Loop(every: .seconds(1)) {
            let reachable: Bool
            do {
                let response = try await client.execute(
                    HTTPClientRequest(url: "\(homeURL)/health/live"), timeout: .seconds(1))
                _ = try? await response.body.collect(upTo: 1 << 16)
                reachable = response.status == .ok
            } catch {
                reachable = false
            }
            if reachable != state.isHomeReachable {
                logger.warning(reachable ? "home region reachable again" : "home region unreachable")
            }
            state.homeProbed(reachable: reachable)
            Gauge(label: "sprocket_region_home_reachable", dimensions: [("region", state.name)])
                .record(reachable ? 1 : 0)
        }
    }
}
