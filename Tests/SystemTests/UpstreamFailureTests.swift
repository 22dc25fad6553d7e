import AsyncHTTPClient
import NIOCore
import NIOPosix
import Testing

@testable import Gateway

/// How the gateway classifies a failed try, which decides whether it tries another replica.
@Suite("Upstream failures")
struct UpstreamFailureTests {
    @Test func aConnectionThatWasNeverMadeIsNotReached() {
        #expect(UpstreamFailure(IOError(errnoCode: ECONNREFUSED, reason: "connect")) == .notReached)
        #expect(UpstreamFailure(HTTPClientError.connectTimeout) == .notReached)
        #expect(UpstreamFailure(ChannelError.connectTimeout(.seconds(1))) == .notReached)
    }

    /// A rolling restart closes the gateway's pooled keep-alive connections to the replica that drains;
    /// a request handed such a connection fails with "I/O on closed channel" and must count as closed
    /// unanswered, so a read or a keyed write goes to the other replica (seen in a compose rolling restart).
    @Test func aPooledConnectionClosedUnderTheRequestIsClosedUnanswered() {
        for error in [ChannelError.ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed] {
            #expect(UpstreamFailure(error) == .closedUnanswered)
        }
        #expect(UpstreamFailure(HTTPClientError.remoteConnectionClosed) == .closedUnanswered)
        #expect(UpstreamFailure(IOError(errnoCode: ECONNRESET, reason: "read")) == .closedUnanswered)
    }

    @Test func aTimeoutIsNeverRetried() {
        #expect(UpstreamFailure(HTTPClientError.deadlineExceeded) == .other)
        #expect(UpstreamFailure(HTTPClientError.readTimeout) == .other)
    }
}
