/// Where an order is in its life, and which moves the status machine allows.
public enum OrderStatus: String, Sendable, CaseIterable, Codable {
    case pendingConfirmation = "pending_confirmation"
    case confirmed
    case sentToWarehouse = "sent_to_warehouse"
    case shipped
    case inTransit = "in_transit"
    case delivered
    case cancelled

    /// The statuses this one may move to.
    ///
    /// `pending_confirmation → confirmed → sent_to_warehouse → shipped → in_transit → delivered`, and
    /// `cancelled` from any status before `shipped`. `delivered` and `cancelled` are final.
    public var allowedMoves: [OrderStatus] {
        switch self {
        case .pendingConfirmation: [.confirmed, .cancelled]
        case .confirmed: [.sentToWarehouse, .cancelled]
        case .sentToWarehouse: [.shipped, .cancelled]
        case .shipped: [.inTransit]
        case .inTransit: [.delivered]
        case .delivered, .cancelled: []
        }
    }

    /// Whether the order may still be cancelled.
    public var isCancellable: Bool { allowedMoves.contains(.cancelled) }
}
