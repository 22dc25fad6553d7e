import Gateway
import Hummingbird
import Logging
import ServiceKit

/// The middleware of every listener, in one place and in its order: the request's scope (id, client
/// address, logger), its metrics, content safety headers, a gateway's region headers, problems for errors, admission (requests in flight); then the
/// contracts' checks: body limits by operation and, where the contracts are served here, request
/// validation.
enum MiddlewareStack {
    /// The front of the stack, which every listener has; `process` names it in the request metrics.
    static func front(
        of router: Router<AppRequestContext>, process: String, logger: Logger, configuration: SystemConfiguration,
        limits: ProcessLimits, region: RegionHeadersMiddleware? = nil
    ) {
        router.add(middleware: RequestScopeMiddleware(logger: logger, trustedProxies: configuration.trustedProxies))
        router.add(middleware: RequestMetricsMiddleware(process: process))
        router.add(middleware: ContentSafetyMiddleware())
        if let region { router.add(middleware: region) }
        router.add(middleware: ProblemMiddleware())
        router.add(middleware: AdmissionMiddleware(counter: limits.inFlight))
    }

    /// The contracts' checks: body limits for `contracts`' operations and `otherRoutes`, uploads read only
    /// after `authenticator` verified the token (`nil`: the service behind checks it); with `validate`,
    /// every request against its operation.
    static func contracts(
        of router: Router<AppRequestContext>, contracts: [OpenAPIContract], otherRoutes: [String: Int] = [:],
        authenticator: Authenticator?, limits: ProcessLimits, validate: Bool
    ) {
        router.add(
            middleware: BodyLimitMiddleware(
                contracts: contracts, otherRoutes: otherRoutes, authenticator: authenticator, uploads: limits.uploads))
        if validate { router.add(middleware: RequestValidationMiddleware(contracts: contracts)) }
    }
}
