import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// Server-sent events for the pages: `GET /admin/events` streams the id of every order whose status
/// changes (one `data:` line each, a comment every 15 s to keep the connection open), and
/// `/admin/live.js` reloads the parts of the page that show it. Only a signed-in staff member gets a
/// stream, and a process serves at most ``maxStreams`` at once (the others are told to retry in 30 s).
struct LiveUpdates: Sendable {
    let changes: (@Sendable () -> AsyncStream<String>)?
    static let maxStreams = 64
    private let open = StreamCount()

    init(changes: (@Sendable () -> AsyncStream<String>)?) {
        self.changes = changes
    }

    func events(for session: StaffSession?) -> Response {
        guard session != nil else { return Response(status: .unauthorized) }
        guard let changes else { return Response(status: .noContent) }  // nothing to hear: the script stops
        var headers = Pages.securityHeaders
        headers[.contentType] = "text/event-stream"
        let open = self.open
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // Counted, and subscribed, only while it is written (a response never written holds
                // nothing); beyond the limit the browser is told to come back in 30 s.
                guard open.value.add(1, ordering: .relaxed).newValue <= Self.maxStreams else {
                    open.value.subtract(1, ordering: .relaxed)
                    try await writer.write(ByteBuffer(string: "retry: 30000\n\n"))
                    try await writer.finish(nil)
                    return
                }
                defer { open.value.subtract(1, ordering: .relaxed) }
                let stream = changes()
                // One queue of messages, written here: the changes, and a comment every 15 s (which also
                // finds a browser that went away).
                let (messages, queue) = AsyncStream.makeStream(of: String.self)
                let relay = Task {
                    for await id in stream { queue.yield("data: \(id)\n\n") }
                    queue.finish()
                }
                let beat = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(15))
                        queue.yield(": keep-alive\n\n")
                    }
                }
                defer {
                    relay.cancel()
                    beat.cancel()
                }
                try await writer.write(ByteBuffer(string: "retry: 5000\n\n"))
                for await message in messages { try await writer.write(ByteBuffer(string: message)) }
                try await writer.finish(nil)
            })
    }

    /// The pages' script: on a change, fetch the page again and swap in its live parts (not one the
    /// user is typing in).
    static func script() -> Response { Pages.script(source) }

    static let source = #"""
        (() => {
          const live = document.querySelector("[data-live]");
          if (!live || !window.EventSource) return;
          const parts = ["#orders", "#order-status", "#reservations", "#slips", "#shipments", "#invoices", "#history"];
          let pending;
          const refresh = () => {
            clearTimeout(pending);
            pending = setTimeout(async () => {
              const answer = await fetch(location.href, { credentials: "same-origin" });
              if (!answer.ok) return;
              const page = new DOMParser().parseFromString(await answer.text(), "text/html");
              for (const selector of parts) {
                const fresh = page.querySelector(selector), old = document.querySelector(selector);
                if (fresh && old && !old.contains(document.activeElement)) old.replaceWith(fresh);
              }
              document.body.dataset.refreshed = String(Date.now());
            }, 250);
          };
          const source = new EventSource("/admin/events");
          source.onmessage = (event) => {
            if (live.dataset.live === "order" && live.dataset.order !== event.data) return;
            refresh();
          };
        })();
        """#
}

/// The streams open in the process.
private final class StreamCount: Sendable {
    let value = Atomic<Int>(0)
}
