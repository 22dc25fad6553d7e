import ServiceKit

/// The orders service's problem codes.
enum OrderProblems {
    static func notFound(_ id: String) -> Problem {
        .notFound("order.not_found", "No order \(id).")
    }

    static let unknownCustomer = Problem(
        status: .conflict, code: "order.customer_unknown", title: "Account not known yet",
        detail: "The orders service has not yet seen this account's registration; retry in a moment.", retryAfter: 1
    )

    static func notReserved(_ id: String) -> Problem {
        .conflict(
            "order.not_reserved",
            "Order \(id) has no stock reservation yet: inventory confirms it once its parts are reserved.")
    }

    static func alreadyShipped(_ id: String) -> Problem {
        .conflict(
            "order.already_shipped",
            "A packing slip of order \(id) has shipped: the order can no longer be cancelled.", allowed: [])
    }
}
