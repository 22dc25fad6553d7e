import ServiceKit

/// The billing service's problem codes.
enum BillingProblems {
    static func notFound(_ id: String) -> Problem {
        .notFound("billing.invoice_not_found", "No invoice \(id).")
    }

    static func credited(_ id: String) -> Problem {
        .conflict(
            "billing.invoice_credited", "Invoice \(id) was reversed by a credit note; it takes no payments.",
            allowed: [])
    }

    static func alreadyPaid(_ id: String) -> Problem {
        .conflict("billing.invoice_paid", "Invoice \(id) is paid in full.", allowed: [])
    }

    static func overpayment(_ id: String, balance: Money) -> Problem {
        .conflict(
            "billing.overpayment",
            "The payment is more than invoice \(id)'s balance of \(balance.decimal) \(balance.currency).")
    }

    static func notPositive(_ id: String) -> Problem {
        .conflict("billing.payment_not_positive", "A payment on invoice \(id) must be more than zero.")
    }

    static func paymentInFuture(_ id: String) -> Problem {
        .conflict(
            "billing.payment_in_future",
            "A payment on invoice \(id) cannot arrive more than 5 minutes from now; send when it arrived.")
    }

    static func currencyMismatch(_ id: String, currency: String) -> Problem {
        .conflict("billing.currency_mismatch", "Invoice \(id) is in \(currency); record the payment in \(currency).")
    }
}
