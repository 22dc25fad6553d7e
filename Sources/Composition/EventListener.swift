import Foundation
import GraphQLGateway
import Logging
import Messaging
import NATS
import ServiceKit
import ServiceLifecycle

/// Hears events of some types as they are published, over a plain NATS subscription to their subjects
/// (no JetStream consumer, nothing kept: what a listener does with them must not need a replay, e.g.
/// the gateway's order changes, where a subscription reads the order afresh when it starts, and token
/// revocations, which a process also loads when it starts). Each event goes to `heard`.
struct EventListener: Service {
    let name: String
    let client: NATSClient
    let types: Set<String>
    let logger: Logger
    let heard: @Sendable (EventEnvelope) -> Void

    func run() async throws {
        let subjects = types.map { NATSTransport.subject(for: $0) }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for subject in subjects {
                            let (sid, messages) = try await client.subscribe(to: subject)
                            group.addTask {
                                await withTaskCancellationHandler {
                                    for await message in messages {
                                        guard let envelope = try? EventEnvelope(jsonData: Data(message.payload)) else {
                                            continue
                                        }
                                        heard(envelope)
                                    }
                                } onCancel: {
                                    Task { await client.unsubscribe(sid) }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                    return
                } catch {
                    // NATS is not there yet: the client reconnects by itself; subscribe again shortly.
                    logger.warning(
                        "\(name): NATS subscription failed, retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}

extension EventListener {
    /// The gateway's ear for order changes, for GraphQL subscriptions.
    static func orderChanges(client: NATSClient, feed: OrderChangeFeed, logger: Logger) -> EventListener {
        EventListener(name: "order changes", client: client, types: OrderChangeFeed.eventTypes, logger: logger) {
            if let order = $0.subject { feed.orderChanged(order) }
        }
    }

    /// A service's ear for disabled and enabled accounts: their tokens are refused from the moment the
    /// event is published.
    static func revocations(client: NATSClient, keys: KeyRing, logger: Logger) -> EventListener {
        EventListener(name: "token revocations", client: client, types: Revocations.eventTypes, logger: logger) {
            Revocations.apply($0, to: keys)
        }
    }
}
