import Foundation
import Hummingbird
import Metrics

/// Counts every request by route template, method and status, and times it by route:
/// `sprocket_http_requests_total` and `sprocket_http_request_duration_seconds`. Routes are the router's
/// templates (`/api/v1/orders/{id}`), so ids do not multiply the series; what matched no route is
/// `unmatched`.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The process's role (`embedded`, `orders`, `gateway`, …).
    let process: String

    public init(process: String) {
        self.process = process
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context: context, status: Int(response.status.code), since: started)
            return response
        } catch let error as any HTTPResponseError {
            record(request, context: context, status: Int(error.status.code), since: started)
            throw error
        } catch {
            record(request, context: context, status: 500, since: started)
            throw error
        }
    }

    private func record(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        let route = context.endpointPath ?? "unmatched"
        Counter(
            label: "sprocket_http_requests_total",
            dimensions: [
                ("process", process), ("route", route), ("method", request.method.rawValue), ("status", String(status)),
            ]
        ).increment()
        Timer(label: "sprocket_http_request_duration_seconds", dimensions: [("process", process), ("route", route)])
            .record(duration: ContinuousClock.now - started)
    }
}
