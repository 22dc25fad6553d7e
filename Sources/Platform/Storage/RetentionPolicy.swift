/// How long a database keeps the rows of its plumbing (never its business records: orders, history,
/// ledgers, invoices and credit notes are kept for good).
///
/// - Published outbox rows are kept for ``outbox`` (7 days), for `sprocket events` and for replays.
/// - Inbox ids are kept for ``inbox`` (8 days): longer than an event can still arrive again (JetStream
///   keeps a message 7 days; the relay publishes again only what it had not marked published), so a
///   redelivered event is always recognised. It is never shorter than ``outbox``.
/// - Idempotency keys expire after ``idempotencyKeys`` (24 hours, as payment APIs do): a request with an
///   expired key is a new request.
public struct RetentionPolicy: Sendable, Equatable {
    public var outbox: Duration
    public var inbox: Duration
    public var idempotencyKeys: Duration
    /// Rows deleted per statement (each its own short transaction, so no request waits long behind one).
    public var batchSize: Int

    public init(
        outbox: Duration = .seconds(7 * 86_400), inbox: Duration = .seconds(8 * 86_400),
        idempotencyKeys: Duration = .seconds(86_400), batchSize: Int = 500
    ) {
        self.outbox = outbox
        self.inbox = inbox
        self.idempotencyKeys = idempotencyKeys
        self.batchSize = batchSize
    }

    /// What is wrong with this policy, if anything (the commands refuse it).
    public var problem: String? {
        let windows = [("outbox", outbox), ("inbox", inbox), ("idempotency keys", idempotencyKeys)]
        if let (name, _) = windows.first(where: { $0.1 < .seconds(60) }) {
            return "the \(name) retention must be at least a minute"
        }
        if inbox < outbox {
            return
                "the inbox retention must be at least the outbox retention (an event can be published again as long as its outbox row exists)"
        }
        guard (1...10_000).contains(batchSize) else { return "the retention batch size must be 1-10000" }
        return nil
    }

    /// How often the sweep looks for expired rows: a tenth of the shortest window, between a second and
    /// a minute.
    public var sweepInterval: Duration {
        min(.seconds(60), max(.seconds(1), min(outbox, inbox, idempotencyKeys) / 10))
    }

    /// Parses `90s`, `30m`, `12h` or `7d` (a whole number and its unit).
    public static func duration(_ text: String) -> Duration? {
        guard let unit = text.last, let amount = Int64(text.dropLast()), amount > 0, amount < 100_000 else {
            return nil
        }
        switch unit {
        case "s": return .seconds(amount)
        case "m": return .seconds(amount * 60)
        case "h": return .seconds(amount * 3_600)
        case "d": return .seconds(amount * 86_400)
        default: return nil
        }
    }
}

extension Duration {
    /// Whole microseconds (the unit of the stored timestamps).
    public var microseconds: Int64 {
        components.seconds * 1_000_000 + components.attoseconds / 1_000_000_000_000
    }
}
