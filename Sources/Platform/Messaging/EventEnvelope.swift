import Foundation
import Storage
import Synchronization

/// A CloudEvents 1.0 event in JSON form: the unit every transport carries.
///
/// `data` is kept as the exact JSON bytes the producer wrote, so an envelope passes through the
/// outbox, a broker and the inbox unchanged.
public struct EventEnvelope: Sendable, Equatable {
    /// UUIDv7; also the de-duplication key of every transport and inbox.
    public var id: String
    /// `/<service>`: who produced the event.
    public var source: String
    /// `<context>.<entity>.<verb>`, e.g. `catalog.part.upserted`.
    public var type: String
    /// When the change happened.
    public var time: Date
    /// The entity the event is about, e.g. a SKU or a customer id.
    public var subject: String?
    /// The payload as JSON.
    public var data: Data {
        didSet { decoded = DecodedPayload() }
    }
    /// W3C trace context of the request that caused the event.
    public var traceparent: String?
    /// The version of the payload's schema (the CloudEvents extension `schemaversion`; 1 when absent, as
    /// in the events of releases before it existed).
    public var schemaVersion: Int
    /// The payload once decoded, shared by the copies of this envelope: the in-process transport hands
    /// the same envelope to every subscriber, which then decode it once between them.
    private var decoded = DecodedPayload()

    public init(
        id: String = UUIDv7.make(), source: String, type: String, time: Date = Date(), subject: String?,
        data: Data, traceparent: String? = TraceContext.current?.traceparent, schemaVersion: Int = 1
    ) {
        self.schemaVersion = schemaVersion
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.subject = subject
        self.data = data
        self.traceparent = traceparent
    }

    /// An envelope around `payload`, encoded as JSON.
    public init(
        source: String, type: String, subject: String?, payload: some Encodable,
        traceparent: String? = TraceContext.current?.traceparent, schemaVersion: Int = 1
    ) throws {
        self.init(
            source: source, type: type, subject: subject, data: try EventCoding.encode(payload),
            traceparent: traceparent, schemaVersion: schemaVersion
        )
    }

    /// Decodes the payload (once per envelope and type, whoever asks).
    public func decode<T: Decodable & Sendable>(_ type: T.Type) throws -> T {
        if let known = decoded.value(as: T.self) { return known }
        let value = try EventCoding.decode(T.self, from: data)
        decoded.keep(value)
        return value
    }

    /// Equal when every attribute and the payload's bytes are (whether either was decoded aside).
    public static func == (left: EventEnvelope, right: EventEnvelope) -> Bool {
        (left.id, left.source, left.type, left.time, left.subject) == (
            right.id, right.source, right.type, right.time, right.subject
        ) && (left.data, left.traceparent, left.schemaVersion) == (right.data, right.traceparent, right.schemaVersion)
    }

    /// The structured-mode CloudEvents JSON document, `data` in it as the payload's bytes.
    public func jsonData() throws -> Data { CloudEventJSON.document(self) }

    /// Parses a structured-mode CloudEvents JSON document; attributes it does not know are ignored.
    public init(jsonData: Data) throws { self = try CloudEventJSON.envelope(from: jsonData) }
}

/// An envelope's decoded payload, kept for the next reader that decodes it as the same type.
private final class DecodedPayload: Sendable {
    private let kept = Mutex<(type: ObjectIdentifier, value: any Sendable)?>(nil)

    func value<T>(as type: T.Type) -> T? {
        kept.withLock { kept in kept.flatMap { $0.type == ObjectIdentifier(T.self) ? $0.value as? T : nil } }
    }

    func keep<T: Sendable>(_ value: T) { kept.withLock { $0 = (ObjectIdentifier(T.self), value) } }
}

/// A message that is not a CloudEvents JSON document this system can read.
public enum EnvelopeError: Error, Equatable {
    case malformed
}

/// The JSON coding every event payload uses: ISO 8601 dates, sorted keys.
public enum EventCoding {
    /// `value` as JSON: written by `EventJSONEncoder`, or by Foundation's encoder (the same document)
    /// when the value needs what that one refuses.
    public static func encode(_ value: some Encodable) throws -> Data {
        do { return try EventJSONEncoder.encode(value) } catch is EventJSONEncoder.Unsupported {
            return try encoder.encode(value)
        }
    }

    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The value in `data`: read by `EventJSONDecoder`, or by Foundation's decoder when that one
    /// refuses it (Foundation's error then says what is wrong).
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do { return try EventJSONDecoder.decode(type, from: data) } catch {
            return try decoder.decode(type, from: data)
        }
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
