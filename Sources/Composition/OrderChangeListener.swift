import Foundation
import GraphQLGateway
import Logging
import Messaging
import NATS
import ServiceLifecycle

/// The gateway's ear for order changes: a plain NATS subscription to the `order.status.changed` subject
/// (no JetStream consumer, nothing kept: a subscription that is not listening has nothing to catch up
/// on, as it reads the order again when it starts). Each event's order id goes to the feed.
struct OrderChangeListener: Service {
    let client: NATSClient
    let feed: OrderChangeFeed
    let logger: Logger

    func run() async throws {
        let subjects = OrderChangeFeed.eventTypes.map { NATSTransport.subject(for: $0) }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for subject in subjects {
                            let (sid, messages) = try await client.subscribe(to: subject)
                            group.addTask {
                                await withTaskCancellationHandler {
                                    for await message in messages {
                                        guard let envelope = try? EventEnvelope(jsonData: Data(message.payload)),
                                            let order = envelope.subject
                                        else { continue }
                                        feed.orderChanged(order)
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
                    logger.warning("order changes: NATS subscription failed, retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}
