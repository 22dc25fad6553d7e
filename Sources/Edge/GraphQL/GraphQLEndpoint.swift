import Foundation
import GraphQL
import HTTPTypes
import Hummingbird
import Logging
import ServiceKit

/// `POST /graphql` (and `GET /graphql?query=` for queries) over the services, with the REST API's bearer
/// token; `GET /graphql` from a browser gives a query page.
public struct GraphQLEndpoint: Sendable {
    let upstreams: GraphQLUpstreams
    /// The clients' budgets and subscriptions, and the limits they are held to.
    let clients: GraphQLClients
    var limits: QueryLimits { clients.limits }
    let logger: Logger
    /// The store currency, for prices the legacy schema takes as plain numbers.
    let currency: String

    public init(
        upstreams: GraphQLUpstreams, clients: GraphQLClients = .init(), currency: String = "EUR", logger: Logger
    ) {
        self.upstreams = upstreams
        self.clients = clients
        self.currency = currency
        self.logger = logger
    }

    /// The schemas served, by path: the current one, and the legacy one of the system Sprocket replaces.
    static let schemas: [(path: String, schema: GraphQLSchema)] = [
        ("/graphql", SprocketSchema.schema), ("/graphql/legacy", LegacySchema.schema),
    ]

    /// The body limit of every GraphQL path, for the body-limit middleware.
    public static func bodyLimits(_ limits: QueryLimits) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: schemas.map { ($0.path, limits.maxBodyBytes) })
    }

    public func register(on router: Router<AppRequestContext>) {
        for (path, schema) in Self.schemas { register(path, schema, on: router) }
    }

    private func register(_ path: String, _ schema: GraphQLSchema, on router: Router<AppRequestContext>) {
        router.post(RouterPath(path)) { request, context in
            let body = try await request.body.collect(upTo: limits.maxBodyBytes)
            guard let json = try? JSONDecoder().decode(GraphQLRequestBody.self, from: Data(buffer: body)) else {
                return Self.response(
                    .badRequest,
                    errors: [
                        Self.error("graphql.request_malformed", "Send {\"query\": …, \"variables\": {…}} as JSON.")
                    ])
            }
            return await respond(json, schema: schema, method: .post, request: request, context: context)
        }
        router.get(RouterPath(path)) { request, context in
            let query = request.uri.queryParameters
            guard let text = query["query"].map(String.init) else {
                return Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: GraphQLPage.html)))
            }
            var variables: [String: Map]?
            if let raw = query["variables"].map(String.init), !raw.isEmpty {
                guard let decoded = try? JSONDecoder().decode([String: Map].self, from: Data(raw.utf8)) else {
                    return Self.response(
                        .badRequest,
                        errors: [Self.error("graphql.request_malformed", "variables must be a JSON object.")])
                }
                variables = decoded
            }
            let body = GraphQLRequestBody(
                query: text, variables: variables, operationName: query["operationName"].map(String.init))
            return await respond(body, schema: schema, method: .get, request: request, context: context)
        }
    }

    /// Runs one request: the limits, then the operation; a GET may only query. The services are called
    /// with the request's credentials, request id and client address.
    func respond(
        _ body: GraphQLRequestBody, schema: GraphQLSchema, method: HTTPRequest.Method, request: Request,
        context: AppRequestContext
    ) async -> Response {
        var headers = HTTPFields()
        for name in [HTTPField.Name.authorization, .forwardedFor] {
            if let value = request.headers[name] { headers[name] = value }
        }
        if let id = RequestScope.current?.requestID { headers[.requestID] = id }
        if let traceparent = RequestScope.current?.traceparent, let name = HTTPField.Name("traceparent") {
            headers[name] = traceparent
        }
        let resolution = Resolution(
            upstreams: ServiceClients(upstreams, remoteAddress: context.remoteAddress, headers: headers),
            limits: limits, currency: currency)
        let client = GraphQLClients.client(address: RequestScope.current?.clientAddress)
        let execution = await execute(
            body, schema: schema, over: method == .get ? .get : .post, resolution: resolution, client: client)
        var response = Self.response(execution.status, result: execution.result, calls: resolution.callCount)
        if let wait = execution.retryAfter { response.headers[.retryAfter] = String(wait) }
        return response
    }

    /// What running one request gave: the result, the HTTP status to send it with, the kind of operation
    /// that ran (`nil` when none did), and when the client was over its budget, the seconds to wait.
    struct Execution: Sendable {
        var result: GraphQLResult
        var status: HTTPResponse.Status
        var operation: OperationType?
        var retryAfter: Int?

        init(
            _ result: GraphQLResult, _ status: HTTPResponse.Status, _ operation: OperationType?, retryAfter: Int? = nil
        ) {
            self.result = result
            self.status = status
            self.operation = operation
            self.retryAfter = retryAfter
        }

        static func refused(_ code: String, _ message: String, status: HTTPResponse.Status = .badRequest) -> Execution {
            Execution(GraphQLResult(errors: [GraphQLEndpoint.error(code, message)]), status, nil)
        }
    }

    /// How a request came: a subscription needs a WebSocket, a mutation at least a POST.
    enum Channel {
        case get, post, webSocket
    }

    /// How an operation was let in before it came here.
    enum Admission {
        /// An HTTP request: it counts toward its client's operations at once and pays for its calls.
        case request
        /// An operation over a WebSocket, admitted as one of its account's subscriptions: it pays.
        case webSocket
        /// A subscription's run after a change: admitted and paid for when the subscription started.
        case rerun
    }

    /// Runs `request` for `client` (whose budget pays its calls to the services): the limits, then the
    /// operation, in its turn among the process's operations; `resolution` counts the calls made.
    func execute(
        _ request: GraphQLRequestBody, schema: GraphQLSchema = SprocketSchema.schema, over channel: Channel,
        resolution: Resolution, client: String, admission: Admission = .request
    ) async -> Execution {
        let rerun = admission == .rerun
        guard let query = request.query, !query.isEmpty else {
            return .refused("graphql.request_malformed", "The request has no query.")
        }
        guard query.utf8.count <= limits.maxQueryBytes else {
            return .refused("graphql.query_too_large", "A query is at most \(limits.maxQueryBytes) bytes.")
        }
        guard QueryLimits.nesting(of: query) <= QueryLimits.maxTextNesting else {
            return .refused(
                "graphql.query_too_deep", "The query nests more than \(QueryLimits.maxTextNesting) brackets.")
        }
        let variables = request.variables ?? [:]
        let document: Document
        let estimate: Int
        do {
            document = try parse(source: Source(body: query, name: "GraphQL request"))
            estimate = try limits.check(document, variables: variables)
        } catch let problem as Problem {
            return .refused(problem.code, problem.detail ?? problem.title)
        } catch let error as GraphQLError {
            return Execution(
                GraphQLResult(errors: [Self.error("graphql.parse_failed", error.message, locations: error.locations)]),
                .badRequest, nil)
        } catch {
            return .refused("graphql.parse_failed", "The query cannot be read.")
        }
        let operation = Self.operationType(document, operationName: request.operationName)
        if operation == .subscription, channel != .webSocket {
            return .refused(
                "graphql.subscription_needs_websocket",
                "Subscribe over a WebSocket to /graphql with the graphql-transport-ws protocol.")
        }
        if operation == .subscription, Self.rootFieldCount(document, operationName: request.operationName) != 1 {
            return .refused("graphql.subscription_single_root", "A subscription selects exactly one root field.")
        }
        if operation == .mutation, channel == .get {
            return .refused("graphql.mutation_needs_post", "Send mutations with POST.", status: .methodNotAllowed)
        }
        if !rerun, let wait = clients.spend(estimate, client: client) {
            var refused = Execution.refused(
                "graphql.rate_limited",
                "This client has used its budget of calls to the services (\(limits.callsPerSecond) per second); retry in \(wait) s.",
                status: .tooManyRequests)
            refused.retryAfter = wait
            return refused
        }
        defer { if !rerun { clients.adjust(resolution.callCount - estimate, client: client) } }
        let outcome = await clients.operation(for: admission == .request ? client : nil) { () -> Execution in
            do {
                let result = try await graphql(
                    schema: schema, request: query, context: resolution, variableValues: variables,
                    operationName: request.operationName)
                let mapped = GraphQLResult(data: result.data, errors: result.errors.map(mapError))
                // A query the schema refuses (nothing was executed) is a bad request; once execution began,
                // the answer is 200 with the errors beside the data, as GraphQL over HTTP has it.
                let refused = result.data == nil && result.errors.allSatisfy { $0.originalError == nil }
                let status: HTTPResponse.Status = refused && !result.errors.isEmpty ? .badRequest : .ok
                return Execution(mapped, status, operation)
            } catch {
                return Execution(GraphQLResult(errors: [mapError(GraphQLError(error))]), .badRequest, nil)
            }
        }
        switch outcome {
        case .success(let execution): return execution
        case .failure(.clientBusy):
            var refused = Execution.refused(
                "graphql.too_many_operations",
                "This client has \(limits.maxOperationsPerClient) operations running or waiting; wait for one to finish.",
                status: .tooManyRequests)
            refused.retryAfter = 1
            return refused
        case .failure(.processBusy):
            var refused = Execution.refused(
                "graphql.busy", "The server is running as many GraphQL operations as it takes; retry shortly.",
                status: .serviceUnavailable)
            refused.retryAfter = 1
            return refused
        }
    }

    /// The root fields the operation selects, fragments expanded.
    static func rootFieldCount(_ document: Document, operationName: String?) -> Int {
        let operations = document.definitions.compactMap { $0 as? OperationDefinition }
        guard
            let operation = operationName.map({ name in operations.first { $0.name?.value == name } })
                ?? (operations.count == 1 ? operations[0] : nil)
        else { return 0 }
        var fragments: [String: FragmentDefinition] = [:]
        for case let fragment as FragmentDefinition in document.definitions {
            fragments[fragment.name.value] = fragment
        }
        var seen: Set<String> = []
        func count(_ set: SelectionSet) -> Int {
            set.selections.reduce(0) { total, selection in
                switch selection {
                case is Field: return total + 1
                case let inline as InlineFragment: return total + count(inline.selectionSet)
                case let spread as FragmentSpread:
                    guard let fragment = fragments[spread.name.value], seen.insert(spread.name.value).inserted else {
                        return total
                    }
                    return total + count(fragment.selectionSet)
                default: return total
                }
            }
        }
        return count(operation.selectionSet)
    }

    /// A resolver's error as the client sees it: a service's problem keeps its code, status and field
    /// errors in `extensions`; anything unexpected is logged and reported without details.
    func mapError(_ error: GraphQLError) -> GraphQLError {
        guard let original = error.originalError else {
            return GraphQLError(
                message: error.message, locations: error.locations, path: error.path,
                extensions: error.extensions.isEmpty ? ["code": "graphql.validation_failed"] : error.extensions)
        }
        var problem = ProblemMiddleware<AppRequestContext>.problem(for: original)
        if let graphQL = original as? GraphQLError {
            return GraphQLError(
                message: graphQL.message, locations: error.locations, path: error.path,
                extensions: ["code": "graphql.validation_failed"])
        }
        if problem.code == Problem.internalError.code {
            logger.error("GraphQL resolver failed", metadata: ["error": "\(String(reflecting: type(of: original)))"])
            problem = .internalError
        }
        var extensions: [String: Map] = ["code": .string(problem.code), "status": .number(Number(problem.status))]
        if let fields = problem.errors {
            extensions["errors"] = .array(
                fields.map { .dictionary(["field": .string($0.field), "message": .string($0.message)]) })
        }
        return GraphQLError(
            message: problem.detail ?? problem.title, locations: error.locations, path: error.path,
            extensions: extensions)
    }

    /// The kind of the operation a request runs: the one named, or the only one.
    static func operationType(_ document: Document, operationName: String?) -> OperationType? {
        let operations = document.definitions.compactMap { $0 as? OperationDefinition }
        guard let operationName else { return operations.count == 1 ? operations[0].operation : nil }
        return operations.first { $0.name?.value == operationName }?.operation
    }

    static func error(_ code: String, _ message: String, locations: [SourceLocation] = []) -> GraphQLError {
        GraphQLError(message: message, locations: locations, extensions: ["code": .string(code)])
    }

    static func response(_ status: HTTPResponse.Status, errors: [GraphQLError]) -> Response {
        response(status, result: GraphQLResult(errors: errors))
    }

    /// The answer: `data`, `errors`, and in `extensions` how many calls to the services it took.
    static func response(_ status: HTTPResponse.Status, result: GraphQLResult, calls: Int = 0) -> Response {
        let answer = Answer(
            data: result.data, errors: result.errors.isEmpty ? nil : result.errors,
            extensions: ["upstreamCalls": .number(Number(calls))])
        let body = (try? GraphQLJSONEncoder().encode(answer)) ?? Data(#"{"errors":[{"message":"internal"}]}"#.utf8)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// A GraphQL response body.
private struct Answer: Encodable {
    var data: Map?
    var errors: [GraphQLError]?
    var extensions: [String: Map]
}

/// The JSON of a GraphQL request.
struct GraphQLRequestBody: Decodable, Sendable {
    var query: String?
    var variables: [String: Map]?
    var operationName: String?
}
