import Messaging
import Testing

@Suite("W3C trace context")
struct TraceContextTests {
    @Test func aValidTraceparentIsReadAndAChildKeepsItsTrace() throws {
        let parent = try #require(TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
        #expect(parent.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(parent.spanID == "00f067aa0ba902b7")
        let child = parent.child()
        #expect(child.traceID == parent.traceID)
        #expect(child.spanID != parent.spanID)
        #expect(TraceContext(traceparent: child.traceparent) == child)
        let root = TraceContext.root()
        #expect(root.traceID.count == 32 && root.spanID.count == 16)
        #expect(root.traceID != TraceContext.root().traceID)
    }

    @Test(arguments: [
        nil, "", "garbage", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
    ])
    func aMalformedTraceparentIsIgnored(_ header: String?) {
        #expect(TraceContext(traceparent: header) == nil)
    }

    @Test func anEnvelopeMadeInASpanCarriesIt() throws {
        let span = TraceContext.root()
        let envelope = try TraceContext.$current.withValue(span) {
            try EventEnvelope(source: "test", type: "test.thing.happened", subject: nil, payload: ["a": 1])
        }
        #expect(envelope.traceparent == span.traceparent)
        #expect(try EventEnvelope(source: "test", type: "t", subject: nil, payload: ["a": 1]).traceparent == nil)
    }
}
