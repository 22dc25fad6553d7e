import Foundation
import Storage

/// W3C trace context (`traceparent`: `00-<trace id>-<span id>-<flags>`): the trace a request or an event
/// belongs to, and the span that is running now. A request starts a span (a child of the caller's when it
/// sends a valid `traceparent`); events appended while it runs carry it; a consumer applies each event in
/// a child span of the event's; HTTP calls to other services pass it on. Every request log line names the
/// trace and the span, so one placement can be followed from the gateway to the invoice.
public struct TraceContext: Sendable, Equatable {
    /// 32 lowercase hex digits.
    public let traceID: String
    /// 16 lowercase hex digits.
    public let spanID: String

    /// The span the current task runs in.
    @TaskLocal public static var current: TraceContext?

    /// This span as a `traceparent` header (sampled).
    public var traceparent: String { "00-\(traceID)-\(spanID)-01" }

    init(traceID: String, spanID: String) {
        self.traceID = traceID
        self.spanID = spanID
    }

    /// Parses a `traceparent` header; `nil` unless it is well formed (version 00, ids of lowercase hex,
    /// neither all zeros).
    public init?(traceparent: String?) {
        guard let traceparent, traceparent.utf8.count >= 55 else { return nil }
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            Self.isHex(parts[1]), Self.isHex(parts[2]), Self.isHex(parts[3]),
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" })
        else { return nil }
        self.init(traceID: String(parts[1]), spanID: String(parts[2]))
    }

    /// A new trace.
    public static func root() -> TraceContext {
        TraceContext(traceID: randomHex(bytes: 16), spanID: randomHex(bytes: 8))
    }

    /// A new span in this trace.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, spanID: Self.randomHex(bytes: 8))
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// `bytes` (8 or 16) random bytes in lower-case hex, never all zero (an invalid id).
    private static func randomHex(bytes: Int) -> String {
        let words = (0..<(bytes + 7) / 8).map { _ in RandomWords.next() }
        guard words.contains(where: { $0 != 0 }) else { return randomHex(bytes: bytes) }
        return String(unsafeUninitializedCapacity: bytes * 2) { text in
            for position in 0..<bytes * 2 {
                let nibble = UInt8(truncatingIfNeeded: words[position / 16] >> (60 - 4 * UInt64(position % 16)) & 0xF)
                text[position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return bytes * 2
        }
    }
}
