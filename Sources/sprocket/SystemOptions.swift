import ArgumentParser
import Foundation
import GraphQLGateway
import Logging
import ServiceKit
import Storage
import Composition

/// Options every command that opens the system shares; each falls back to a `SPROCKET_*` variable. The
/// services' own settings are not here: each module declares them (``ServiceModule/options``), and
/// ``Sprocket/main()`` takes them off the command line before these are parsed.
struct SystemOptions: ParsableArguments {
    /// The values of the services' own options on this process's command line (checked already).
    static func serviceOptions() -> [String: String] {
        var arguments = Array(CommandLine.arguments.dropFirst())
        return
            (try? ServiceOptions.extract(
                ServiceName.allOptions.map(\.option), from: &arguments, environment: ProcessInfo.processInfo.environment
            ))
            ?? [:]
    }

    @Option(help: "Folder of the SQLite files (embedded mode). [SPROCKET_DATA_DIR]")
    var dataDir: String = Variables.value("SPROCKET_DATA_DIR") ?? "./data"

    @Option(
        help:
            "PostgreSQL URL, e.g. postgres://user:pass@127.0.0.1:5432/sprocket; each service gets its own schema. [SPROCKET_DATABASE]"
    )
    var database: String? = Variables.value("SPROCKET_DATABASE")

    @Option(help: "Store currency, ISO 4217. [SPROCKET_CURRENCY]")
    var currency: String = Variables.value("SPROCKET_CURRENCY") ?? "EUR"

    @Option(
        help:
            "Addresses of proxies whose X-Forwarded-For is believed, comma-separated (loopback always). [SPROCKET_TRUSTED_PROXIES]"
    )
    var trustedProxies: String = Variables.value("SPROCKET_TRUSTED_PROXIES") ?? ""

    @Option(
        help:
            "Seconds a background loop may have work waiting without progress before /health/ready reports it (5-3600). [SPROCKET_STALL_AFTER]"
    )
    var stallAfter: Int = Variables.value("SPROCKET_STALL_AFTER").flatMap(Int.init) ?? 30

    @Option(
        help:
            "Distributed mode: milliseconds an outbox relay or an event consumer waits for more work to gather into its batch (0-1000). [SPROCKET_BATCH_GATHER_MS]"
    )
    var batchGatherMs: Int = Variables.value("SPROCKET_BATCH_GATHER_MS").flatMap(Int.init) ?? 10

    @Option(
        help:
            "MiB of memory the process plans for (64-65536; half goes to database caches, split by service). Default: 256 embedded, 128 for one service. [SPROCKET_MEMORY_BUDGET]"
    )
    var memoryBudget: Int? = Variables.value("SPROCKET_MEMORY_BUDGET").flatMap(Int.init)

    @Option(
        help:
            "How long published outbox rows are kept, as 90s, 30m, 12h or 7d (at least a minute). [SPROCKET_OUTBOX_RETENTION]"
    )
    var outboxRetention: String = Variables.value("SPROCKET_OUTBOX_RETENTION") ?? "7d"

    @Option(
        help:
            "How long consumed event ids are kept to recognise a redelivery (at least the outbox retention). [SPROCKET_INBOX_RETENTION]"
    )
    var inboxRetention: String = Variables.value("SPROCKET_INBOX_RETENTION") ?? "8d"

    @Option(
        help:
            "How long an Idempotency-Key is remembered; after that the same key is a new request. [SPROCKET_IDEMPOTENCY_RETENTION]"
    )
    var idempotencyRetention: String = Variables.value("SPROCKET_IDEMPOTENCY_RETENTION") ?? "24h"

    @Option(help: "Connections open at once in the process (then 503). [SPROCKET_MAX_CONNECTIONS]")
    var maxConnections: Int =
        Variables.value("SPROCKET_MAX_CONNECTIONS").flatMap(Int.init) ?? RequestLimits().maxConnections

    @Option(
        help:
            "Connections open at once from one address, an IPv6 /64 counting as one; trusted proxies are exempt (then 429). [SPROCKET_MAX_CONNECTIONS_PER_ADDRESS]"
    )
    var maxConnectionsPerAddress: Int =
        Variables.value("SPROCKET_MAX_CONNECTIONS_PER_ADDRESS").flatMap(Int.init)
        ?? RequestLimits().maxConnectionsPerAddress

    @Option(help: "Seconds a connection may stay open with no request under way. [SPROCKET_IDLE_TIMEOUT]")
    var idleTimeout: Int = Variables.value("SPROCKET_IDLE_TIMEOUT").flatMap(Int.init) ?? 30

    @Option(help: "Seconds a request's head may take from its first byte (then 408). [SPROCKET_HEADER_TIMEOUT]")
    var headerTimeout: Int = Variables.value("SPROCKET_HEADER_TIMEOUT").flatMap(Int.init) ?? 10

    @Option(
        help: "Seconds a request's body may take after its head (then the connection closes). [SPROCKET_BODY_TIMEOUT]")
    var bodyTimeout: Int = Variables.value("SPROCKET_BODY_TIMEOUT").flatMap(Int.init) ?? 60

    @Option(help: "Bytes of request line and headers (then 431). [SPROCKET_MAX_HEADER_BYTES]")
    var maxHeaderBytes: Int =
        Variables.value("SPROCKET_MAX_HEADER_BYTES").flatMap(Int.init) ?? RequestLimits().maxHeaderBytes

    @Option(help: "Requests handled at once in the process (then 503). [SPROCKET_MAX_IN_FLIGHT]")
    var maxInFlight: Int = Variables.value("SPROCKET_MAX_IN_FLIGHT").flatMap(Int.init) ?? RequestLimits().maxInFlight

    @Option(help: "Uploads (CSV imports) read at once in the process (then 503). [SPROCKET_MAX_UPLOADS]")
    var maxUploads: Int = Variables.value("SPROCKET_MAX_UPLOADS").flatMap(Int.init) ?? RequestLimits().maxUploads

    @Option(help: "Uploads read at once for one account (then 429). [SPROCKET_MAX_UPLOADS_PER_ACCOUNT]")
    var maxUploadsPerAccount: Int =
        Variables.value("SPROCKET_MAX_UPLOADS_PER_ACCOUNT").flatMap(Int.init) ?? RequestLimits().maxUploadsPerAccount

    @Option(help: "Calls to the services one GraphQL request may make. [SPROCKET_GRAPHQL_MAX_CALLS]")
    var graphqlMaxCalls: Int = Variables.value("SPROCKET_GRAPHQL_MAX_CALLS").flatMap(Int.init) ?? QueryLimits().maxCalls

    @Option(
        help:
            "Calls to the services one GraphQL client (address) may make per second; twice as many at once (then 429). [SPROCKET_GRAPHQL_CALLS_PER_SECOND]"
    )
    var graphqlCallsPerSecond: Int =
        Variables.value("SPROCKET_GRAPHQL_CALLS_PER_SECOND").flatMap(Int.init) ?? QueryLimits().callsPerSecond

    @Option(help: "GraphQL subscriptions open at once per account. [SPROCKET_MAX_SUBSCRIPTIONS_PER_ACCOUNT]")
    var maxSubscriptionsPerAccount: Int =
        Variables.value("SPROCKET_MAX_SUBSCRIPTIONS_PER_ACCOUNT").flatMap(Int.init)
        ?? QueryLimits().maxSubscriptionsPerAccount

    @Option(help: "GraphQL subscriptions open at once in the process. [SPROCKET_MAX_SUBSCRIPTIONS]")
    var maxSubscriptions: Int =
        Variables.value("SPROCKET_MAX_SUBSCRIPTIONS").flatMap(Int.init) ?? QueryLimits().maxSubscriptions

    @Option(
        help:
            "Seconds a process told to stop (SIGTERM) keeps serving with /health/ready at 503, before it stops listening. [SPROCKET_DRAIN_DELAY]"
    )
    var drainDelay: Int = Variables.value("SPROCKET_DRAIN_DELAY").flatMap(Int.init) ?? 2

    @Option(
        help:
            "Seconds it then gives the requests and event batches under way to finish. [SPROCKET_SHUTDOWN_GRACE]")
    var shutdownGrace: Int = Variables.value("SPROCKET_SHUTDOWN_GRACE").flatMap(Int.init) ?? 20

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical. [SPROCKET_LOG_LEVEL]")
    var logLevel: String = Variables.value("SPROCKET_LOG_LEVEL") ?? "info"

    func validate() throws {
        guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw ValidationError("--currency must be a three-letter ISO 4217 code such as EUR")
        }
        guard (5...3600).contains(stallAfter) else { throw ValidationError("--stall-after must be 5 to 3600 seconds") }
        guard (0...1000).contains(batchGatherMs) else {
            throw ValidationError("--batch-gather-ms must be 0 to 1000 milliseconds")
        }
        if let memoryBudget, !(64...65536).contains(memoryBudget) {
            throw ValidationError("--memory-budget must be 64 to 65536 MiB")
        }
        let ranges: [(String, Int, ClosedRange<Int>)] = [
            ("--max-connections", maxConnections, 1...1_000_000),
            ("--max-connections-per-address", maxConnectionsPerAddress, 1...1_000_000),
            ("--idle-timeout", idleTimeout, 1...3600), ("--header-timeout", headerTimeout, 1...3600),
            ("--body-timeout", bodyTimeout, 1...3600), ("--max-header-bytes", maxHeaderBytes, 1024...1 << 20),
            ("--max-in-flight", maxInFlight, 1...1_000_000), ("--max-uploads", maxUploads, 1...1000),
            ("--max-uploads-per-account", maxUploadsPerAccount, 1...1000),
            ("--graphql-max-calls", graphqlMaxCalls, 1...10_000),
            ("--graphql-calls-per-second", graphqlCallsPerSecond, 1...1_000_000),
            ("--max-subscriptions-per-account", maxSubscriptionsPerAccount, 1...100_000),
            ("--max-subscriptions", maxSubscriptions, 1...1_000_000),
            ("--drain-delay", drainDelay, 0...300), ("--shutdown-grace", shutdownGrace, 1...3600),
        ]
        for (flag, value, range) in ranges where !range.contains(value) {
            throw ValidationError("\(flag) must be \(range.lowerBound) to \(range.upperBound)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not a level")
        }
        _ = try retention()
    }

    /// The retention windows given, checked.
    func retention() throws -> RetentionPolicy {
        var windows: [Duration] = []
        for (flag, text) in [
            ("--outbox-retention", outboxRetention), ("--inbox-retention", inboxRetention),
            ("--idempotency-retention", idempotencyRetention),
        ] {
            guard let window = RetentionPolicy.duration(text) else {
                throw ValidationError("\(flag) must be a whole number and a unit (s, m, h or d), as 7d")
            }
            windows.append(window)
        }
        let policy = RetentionPolicy(outbox: windows[0], inbox: windows[1], idempotencyKeys: windows[2])
        if let problem = policy.problem { throw ValidationError(problem) }
        return policy
    }

    func configuration() -> SystemConfiguration {
        var configuration = SystemConfiguration()
        configuration.dataDirectory = dataDir
        configuration.databaseURL = database
        configuration.settings.currency = currency
        configuration.settings.options = Self.serviceOptions()
        configuration.stallAfter = .seconds(stallAfter)
        configuration.batchGather = .milliseconds(batchGatherMs)
        configuration.memoryBudget = memoryBudget
        configuration.retention = (try? retention()) ?? RetentionPolicy()
        configuration.shutdown = ShutdownPlan(drainDelay: .seconds(drainDelay), grace: .seconds(shutdownGrace))
        configuration.limits.maxConnections = maxConnections
        configuration.limits.maxConnectionsPerAddress = maxConnectionsPerAddress
        configuration.limits.idleTimeout = .seconds(idleTimeout)
        configuration.limits.headerTimeout = .seconds(headerTimeout)
        configuration.limits.bodyTimeout = .seconds(bodyTimeout)
        configuration.limits.maxHeaderBytes = maxHeaderBytes
        configuration.limits.maxInFlight = maxInFlight
        configuration.limits.maxUploads = maxUploads
        configuration.limits.maxUploadsPerAccount = maxUploadsPerAccount
        configuration.graphQLLimits.maxCalls = graphqlMaxCalls
        configuration.graphQLLimits.callsPerSecond = graphqlCallsPerSecond
        configuration.graphQLLimits.callBurst = 2 * graphqlCallsPerSecond
        configuration.graphQLLimits.maxSubscriptionsPerAccount = maxSubscriptionsPerAccount
        configuration.graphQLLimits.maxSubscriptions = maxSubscriptions
        configuration.trustedProxies.formUnion(
            trustedProxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        return configuration
    }

    /// Sets up JSON logging on standard output and returns the root logger.
    func makeLogger() -> Logger {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "sprocket")
    }
}

/// `SPROCKET_*` variables as option defaults (an empty variable counts as unset).
enum Variables {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
