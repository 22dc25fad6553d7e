import CustomersAPI
import Foundation
import ServiceKit

/// The customers service's HTTP API: maps generated OpenAPI types to ``Identity`` and back.
struct CustomersHandler: APIProtocol, ContractHandler {
    let identity: Identity
    let authenticator: Authenticator

    func registerCustomer(_ input: Operations.RegisterCustomer.Input) async throws -> Operations.RegisterCustomer.Output
    {
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the registration as JSON.") }
        let role = body.role.map(Self.role) ?? .customer
        if role != .customer, await authenticator.optionalPrincipal()?.role != .admin {
            throw Problem(
                status: .forbidden, code: "customer.role_forbidden", title: "Forbidden",
                detail: "Only an admin may create \(role.rawValue) accounts; registration makes customers.")
        }
        let customer = try await identity.register(
            email: body.email, name: body.name, password: body.password, role: role,
            postalAddress: body.address.map(Self.address), address: RequestScope.current?.clientAddress)
        return .created(.init(body: .json(Self.map(customer))))
    }

    func listCustomers(_ input: Operations.ListCustomers.Input) async throws -> Operations.ListCustomers.Output {
        // Staff find a customer by email or name (the back office's order filter); changing accounts stays
        // with admins.
        _ = try await authenticator.require(.staff, .admin)
        let page = try PageRequest(limit: input.query.limit, cursor: input.query.cursor, keyCount: 1)
        let role = input.query.role.flatMap { Role(rawValue: $0.rawValue) }
        let result = try await identity.store.list(role: role, query: input.query.q, page: page)
        return .ok(.init(body: .json(.init(items: result.items.map(Self.map), nextCursor: result.nextCursor))))
    }

    func getCurrentCustomer(_ input: Operations.GetCurrentCustomer.Input) async throws
        -> Operations.GetCurrentCustomer.Output
    {
        let principal = try await authenticator.principal()
        guard let customer = try await identity.store.customer(id: principal.subject) else {
            throw Problem.notFound("customer.not_found", "The account of this token no longer exists.")
        }
        return .ok(.init(body: .json(Self.map(customer))))
    }

    func getCustomer(_ input: Operations.GetCustomer.Input) async throws -> Operations.GetCustomer.Output {
        let principal = try await authenticator.principal()
        let id = input.path.id
        guard principal.role == .admin || principal.subject == id,
            let customer = try await identity.store.customer(id: id)
        else { throw Problem.notFound("customer.not_found", "There is no account \(id).") }
        return .ok(.init(body: .json(Self.map(customer))))
    }

    func disableCustomer(_ input: Operations.DisableCustomer.Input) async throws -> Operations.DisableCustomer.Output {
        let admin = try await authenticator.require(.admin)
        let customer = try await identity.setDisabled(id: input.path.id, true, by: admin)
        return .ok(.init(body: .json(Self.map(customer))))
    }

    func enableCustomer(_ input: Operations.EnableCustomer.Input) async throws -> Operations.EnableCustomer.Output {
        let admin = try await authenticator.require(.admin)
        let customer = try await identity.setDisabled(id: input.path.id, false, by: admin)
        return .ok(.init(body: .json(Self.map(customer))))
    }

    func issueToken(_ input: Operations.IssueToken.Input) async throws -> Operations.IssueToken.Output {
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the credentials as JSON.") }
        let (token, expiresAt) = try await identity.login(
            email: body.email, password: body.password, address: RequestScope.current?.clientAddress
        )
        return .ok(
            .init(
                body: .json(
                    .init(
                        accessToken: token, tokenType: .bearer, expiresIn: Int(identity.tokenLifetime),
                        expiresAt: expiresAt
                    ))))
    }

    func getJWKS(_ input: Operations.GetJWKS.Input) async throws -> Operations.GetJWKS.Output {
        let keys = try await identity.store.publicKeys().sorted { $0.key < $1.key }.map { id, key in
            Components.Schemas.Jwk(
                kty: .okp, crv: .ed25519, x: Base64URL.encode(key.rawRepresentation), kid: id, alg: .edDSA, use: .sig
            )
        }
        return .ok(.init(body: .json(.init(keys: keys, revoked: try await identity.recentlyDisabled()))))
    }

    static func map(_ customer: Customer) -> Components.Schemas.Customer {
        Components.Schemas.Customer(
            id: customer.id, email: customer.email, name: customer.name,
            role: role(customer.role), createdAt: customer.createdAt, disabled: customer.disabledAt != nil
        )
    }

    static func role(_ role: Components.Schemas.Role) -> Role {
        switch role {
        case .customer: .customer
        case .staff: .staff
        case .admin: .admin
        }
    }

    static func role(_ role: Role) -> Components.Schemas.Role {
        switch role {
        case .customer: .customer
        case .staff: .staff
        case .admin: .admin
        }
    }
}
