import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import Hummingbird
import ServiceKit

/// A regional gateway's `/api/v1`: reads from the region's own services (over its replica), writes to
/// the home region's gateway (``RegionPolicy``).
///
/// A read carrying a `Sprocket-Position` token the replica has not replayed yet waits for it up to
/// `readWait`, then goes home. A write while home is cut off is refused at once with 503 and
/// `Retry-After`; one whose forwarding finds home unreachable gets the same. A read whose regional
/// service cannot be reached goes home, and one home cannot take is served from the region.
public struct RegionalProxy: Sendable {
    let local: GatewayProxy
    let home: GatewayProxy
    let region: RegionState
    let readWait: Duration

    public init(
        local: GatewayRoutes, client: HTTPClient, region: RegionState, readWait: Duration = .milliseconds(500),
        timeout: TimeAmount = .seconds(30)
    ) throws {
        guard let homeURL = region.homeURL else {
            throw ConfigurationError(description: "a regional gateway needs the home region's gateway URL")
        }
        var toHome = local
        toHome.upstreams = Dictionary(
            Set(local.prefixes.values).map { ($0, [homeURL.hasSuffix("/") ? String(homeURL.dropLast()) : homeURL]) },
            uniquingKeysWith: { first, _ in first })
        self.local = GatewayProxy(routes: local, client: client, timeout: timeout)
        self.home = GatewayProxy(routes: toHome, client: client, timeout: timeout)
        self.region = region
        self.readWait = readWait
    }

    /// Mounts the proxy on `router`, as ``GatewayProxy/register(on:)`` does.
    public func register(on router: Router<AppRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete, .head, .options] {
            router.on("/api/v1/**", method: method) { request, context in
                try await forward(request, context: context)
            }
        }
    }

    func forward(_ request: Request, context: AppRequestContext) async throws -> Response {
        let isRead = GatewayProxy.isRead(request)
        let token = request.headers[.sprocketPosition].flatMap { WALPosition($0) }
        var route = RegionPolicy.route(isRead: isRead, token: token, state: region.policyState)
        if case .awaitReplica(let position) = route {
            let caughtUp = await awaitReplica(position)
            route = RegionPolicy.afterWaiting(caughtUp: caughtUp, homeReachable: region.isHomeReachable)
        }
        switch route {
        case .local, .awaitReplica:
            do {
                return try await local.forward(request, context: context)
            } catch let problem as Problem where isRead && problem.code == "gateway.upstream_unavailable" {
                guard region.isHomeReachable else { throw problem }
                return try await home.forward(request, context: context)
            }
        case .home:
            do {
                return try await home.forward(request, context: context)
            } catch let problem as Problem where problem.code == "gateway.upstream_unavailable" {
                // A read home could not take is served from what the region has (marked stale).
                guard isRead else { throw Self.homeUnreachable }
                return try await local.forward(request, context: context)
            }
        case .refuse:
            throw Self.homeUnreachable
        }
    }

    /// Waits up to `readWait` for the replica to replay `position`; whether it did.
    private func awaitReplica(_ position: WALPosition) async -> Bool {
        let deadline = ContinuousClock.now + readWait
        while ContinuousClock.now < deadline {
            if let replayed = region.replayed, replayed >= position { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return region.replayed.map { $0 >= position } ?? false
    }

    static let homeUnreachable = Problem(
        status: .serviceUnavailable, code: "region.home_unreachable",
        detail: "This region cannot reach the home region, where writes are made; reads still work. Try again shortly.",
        retryAfter: 5)
}
