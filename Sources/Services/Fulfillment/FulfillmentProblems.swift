import ServiceKit

/// The fulfillment service's problem codes.
enum FulfillmentProblems {
    static func notFound(_ id: String) -> Problem {
        .notFound("fulfillment.slip_not_found", "No packing slip \(id).")
    }

    static func notPackable(_ id: String, status: SlipStatus) -> Problem {
        .conflict(
            "fulfillment.slip_not_open", "Packing slip \(id) is \(status.rawValue); only an open slip can be packed.",
            allowed: status.allowedMoves.map(\.rawValue))
    }
}
