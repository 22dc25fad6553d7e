import CustomersAPI
import Foundation
import ServiceKit
import Storage

/// The address book of the signed-in account: maps the generated types to ``AddressBook`` and back.
extension CustomersHandler {
    func listAddresses(_ input: Operations.ListAddresses.Input) async throws -> Operations.ListAddresses.Output {
        let principal = try await authenticator.principal()
        let book = try await identity.store.addressBook(of: principal.subject)
        return .ok(.init(body: .json(.init(items: try book.entries.map(Self.map), nextCursor: nil))))
    }

    func addAddress(_ input: Operations.AddAddress.Input) async throws -> Operations.AddAddress.Output {
        let principal = try await authenticator.principal()
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the address as JSON.") }
        let change = try AddressChange(
            address: Self.address(body.address), label: body.label, defaultShipping: body.defaultShipping,
            defaultBilling: body.defaultBilling)
        let id = UUIDv7.make(at: .storageNow)
        let entry = try await identity.store.changeAddressBook(of: principal.subject) { book in
            try book.add(change, id: id, now: .storageNow)
        }
        return .created(.init(body: .json(try Self.map(entry))))
    }

    func getAddress(_ input: Operations.GetAddress.Input) async throws -> Operations.GetAddress.Output {
        let principal = try await authenticator.principal()
        let entry = try await identity.store.addressBook(of: principal.subject).entry(input.path.addressId)
        return .ok(.init(body: .json(try Self.map(entry))))
    }

    func updateAddress(_ input: Operations.UpdateAddress.Input) async throws -> Operations.UpdateAddress.Output {
        let principal = try await authenticator.principal()
        guard case .json(let body) = input.body else { throw Problem.malformed("Send the changes as JSON.") }
        let change = try AddressChange(
            address: body.address.map(Self.address), label: body.label, defaultShipping: body.defaultShipping,
            defaultBilling: body.defaultBilling)
        let id = input.path.addressId
        let entry = try await identity.store.changeAddressBook(of: principal.subject) { book in
            try book.update(id, change, now: .storageNow)
        }
        return .ok(.init(body: .json(try Self.map(entry))))
    }

    func deleteAddress(_ input: Operations.DeleteAddress.Input) async throws -> Operations.DeleteAddress.Output {
        let principal = try await authenticator.principal()
        let id = input.path.addressId
        try await identity.store.changeAddressBook(of: principal.subject) { book in try book.remove(id) }
        return .noContent(.init())
    }

    static func address(_ address: Components.Schemas.Address) -> Address {
        Address(
            firstName: address.firstName, lastName: address.lastName, company: address.company, email: address.email,
            phone: address.phone, line1: address.line1, line2: address.line2, line3: address.line3, city: address.city,
            region: address.region, postalCode: address.postalCode, country: address.country.rawValue)
    }

    /// The API form of an entry; throws when the stored country is not a known code (a corrupt row).
    static func map(_ entry: AddressEntry) throws -> Components.Schemas.AddressEntry {
        let address = entry.address
        guard let country = Components.Schemas.CountryCode(rawValue: address.country) else {
            throw StoredValueError(column: "country", value: address.country)
        }
        return Components.Schemas.AddressEntry(
            id: entry.id, label: entry.label,
            address: .init(
                firstName: address.firstName, lastName: address.lastName, company: address.company,
                email: address.email, phone: address.phone, line1: address.line1, line2: address.line2,
                line3: address.line3, city: address.city, region: address.region, postalCode: address.postalCode,
                country: country),
            defaultShipping: entry.isDefaultShipping, defaultBilling: entry.isDefaultBilling,
            createdAt: entry.createdAt, updatedAt: entry.updatedAt)
    }
}
