import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

// swift-format-ignore: NeverForceUnwrap
// Constant, valid header names: the failable initializer cannot fail for them.
extension HTTPField.Name {
    /// The region whose data answered.
    public static let sprocketRegion = Self("Sprocket-Region")!
    /// How old that data may be, in seconds (0 at home).
    public static let sprocketDataAge = Self("Sprocket-Data-Age")!
    /// `?1` when a region answers from data it cannot vouch for (home cut off, or replication behind).
    public static let sprocketDataStale = Self("Sprocket-Data-Stale")!
    /// The read-your-writes token: sent by a write's answer, returned by the client on its next reads.
    public static let sprocketPosition = Self("Sprocket-Position")!
}

/// Says on every answer of the API which region served it and how old its data may be; at home, a
/// write's answer also carries the log position after it (`Sprocket-Position`), the token a client
/// returns on its next reads in any region to see its own write.
///
/// It sits in front of the problems middleware, so errors carry the headers too. An answer the home
/// region gave to a regional gateway keeps home's headers.
public struct RegionHeadersMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    let region: RegionState
    /// The home region's current log position (asked after a write was answered).
    let position: (@Sendable () async throws -> WALPosition)?

    public init(region: RegionState, position: (@Sendable () async throws -> WALPosition)?) {
        self.region = region
        self.position = position
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/v1/") || path.hasPrefix("/graphql") else { return try await next(request, context) }
        var response = try await next(request, context)
        guard response.headers[.sprocketRegion] == nil else { return response }
        response.headers[.sprocketRegion] = region.name
        if region.isHome {
            response.headers[.sprocketDataAge] = "0"
            if !GatewayProxy.isRead(request), let position, let after = try? await position() {
                response.headers[.sprocketPosition] = after.description
            }
        } else {
            let age = region.dataAge()
            response.headers[.sprocketDataAge] = age.map { String(format: "%.3f", $0) } ?? "unknown"
            if RegionPolicy.isStale(age: age, homeReachable: region.isHomeReachable, staleAfter: region.staleAfter) {
                response.headers[.sprocketDataStale] = "?1"
            }
        }
        return response
    }
}
