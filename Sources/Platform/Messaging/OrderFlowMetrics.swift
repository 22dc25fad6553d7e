import Foundation
import Metrics

/// The order flow's latency by step, `sprocket_order_step_seconds{step}`: how long after an order was
/// placed it reached each step (reserved or rejected in inventory, each status in orders, its packing
/// slip in fulfillment, its invoice in billing). Each service records the steps it takes; Prometheus
/// joins them by `step`.
public enum OrderFlowMetrics {
    /// Records that the order placed at `placedAt` reached `step` now.
    public static func reached(_ step: String, placedAt: Date, now: Date = Date()) {
        Timer(label: "sprocket_order_step_seconds", dimensions: [("step", step)])
            .record(max(0, now.timeIntervalSince(placedAt)))
    }
}
