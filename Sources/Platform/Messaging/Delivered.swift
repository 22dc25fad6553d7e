import SQLKit

/// An event handed to a batch handler (``EventConsumer/onBatch(_:_:)``), with the span of its trace:
/// what the handler creates for it in ``traced(_:)`` carries the trace on.
public struct Delivered<Event: Sendable>: Sendable {
    public let event: Event
    public let trace: TraceContext?

    public init(event: Event, trace: TraceContext? = TraceContext.current) {
        self.event = event
        self.trace = trace
    }

    /// `body` in the event's span: an ``EventEnvelope`` made in it carries the event's trace.
    public func traced<T>(_ body: () throws -> T) rethrows -> T {
        try TraceContext.$current.withValue(trace) { try body() }
    }
}

extension Array {
    /// The events of a batch still to handle, in order: the first for each key `key` gives, leaving out
    /// the keys that `handled` (a query for a list of keys, answering them in a column `id`) finds
    /// handled already, such as orders cancelled or given their document before. One statement for the
    /// batch.
    public func unhandled<Event>(
        by key: (Event) -> String, handled: ([String]) -> SQLQueryString, in db: any SQLDatabase
    ) async throws -> [Delivered<Event>] where Element == Delivered<Event> {
        let keys = Swift.Array(Set(map { key($0.event) })).sorted()
        guard !keys.isEmpty else { return [] }
        var seen = Set(try await db.raw(handled(keys)).all().map { try $0.decode(column: "id", as: String.self) })
        return filter { seen.insert(key($0.event)).inserted }
    }
}
