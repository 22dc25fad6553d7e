import ServiceKit

/// The shipping service's problem codes.
enum ShippingProblems {
    static func notFound(_ id: String) -> Problem {
        .notFound("shipping.shipment_not_found", "No shipment \(id).")
    }

    static func slipNotPacked(_ id: String) -> Problem {
        .conflict(
            "shipping.slip_not_packed",
            "Packing slip \(id) is not packed (or its packing has not reached shipping yet): pack it first.",
            allowed: ["packed"])
    }

    static func slipVoided(_ id: String) -> Problem {
        .conflict("shipping.slip_voided", "Packing slip \(id) was voided: its order was cancelled.", allowed: [])
    }

    static func slipAlreadyShipped(_ id: String) -> Problem {
        .conflict(
            "shipping.slip_already_shipped", "Packing slip \(id) has shipped already.",
            allowed: ["in_transit", "delivered"])
    }

    static func trackingNumberTaken(_ carrier: String, _ number: String) -> Problem {
        .conflict(
            "shipping.tracking_number_taken", "\(carrier) tracking number \(number) belongs to another shipment.")
    }

    static func inTheFuture(_ id: String) -> Problem {
        .conflict(
            "shipping.event_in_future",
            "A tracking event of shipment \(id) cannot happen more than 5 minutes from now; send the carrier's time.")
    }

    /// Nothing follows delivery (`allowed` is empty).
    static func alreadyDelivered(_ id: String) -> Problem {
        .conflict(
            "shipping.already_delivered", "Shipment \(id) was delivered; it takes no more tracking events.",
            allowed: [])
    }
}
