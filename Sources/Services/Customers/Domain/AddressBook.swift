import Foundation
import ServiceKit

/// One entry of a customer's address book.
public struct AddressEntry: Sendable, Equatable {
    public var id: String
    /// A name of the customer's own, e.g. "Workshop".
    public var label: String?
    public var address: Address
    public var isDefaultShipping: Bool
    public var isDefaultBilling: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: String, label: String?, address: Address, isDefaultShipping: Bool, isDefaultBilling: Bool,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.label = label
        self.address = address
        self.isDefaultShipping = isDefaultShipping
        self.isDefaultBilling = isDefaultBilling
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a request asks of an entry, validated: the address normalised as an order's is, the label
/// trimmed (an empty label removes it).
public struct AddressChange: Sendable {
    public var address: Address?
    /// `""` removes the label; `nil` leaves it.
    public var label: String?
    public var defaultShipping: Bool?
    public var defaultBilling: Bool?

    /// Validates the fields; 422 listing every invalid one (address fields as `address.city`).
    public init(address: Address?, label: String?, defaultShipping: Bool?, defaultBilling: Bool?) throws(Problem) {
        var validator = Validator()
        self.address = address?.validated("address", &validator)
        let label = label?.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check((label?.count ?? 0) <= 100, "label", "must be at most 100 characters")
        try validator.throwIfInvalid()
        self.label = label
        self.defaultShipping = defaultShipping
        self.defaultBilling = defaultBilling
    }
}

/// A customer's addresses, oldest first, and the rules that change them: at most one default shipping
/// and one default billing address; a new address becomes the default of a kind that has none unless
/// it says otherwise; making one the default takes it from the other; removing the default leaves none.
public struct AddressBook: Sendable, Equatable {
    public static let maxEntries = 50

    public private(set) var entries: [AddressEntry]

    public init(entries: [AddressEntry]) {
        self.entries = entries
    }

    /// The default shipping address, if the book has one.
    public var defaultShipping: Address? { entries.first(where: \.isDefaultShipping)?.address }

    /// The default billing address, if the book has one.
    public var defaultBilling: Address? { entries.first(where: \.isDefaultBilling)?.address }

    /// Adds an entry with `id`; 409 `customer.address_book_full` at ``maxEntries``, 422 without an address.
    public mutating func add(_ change: AddressChange, id: String, now: Date) throws(Problem) -> AddressEntry {
        guard let address = change.address else {
            throw Problem.validation([FieldError(field: "address", message: "is required")])
        }
        guard entries.count < Self.maxEntries else {
            throw Problem.conflict(
                "customer.address_book_full",
                "An address book holds at most \(Self.maxEntries) addresses; remove one first.")
        }
        let entry = AddressEntry(
            id: id, label: change.label.flatMap { $0.isEmpty ? nil : $0 }, address: address,
            isDefaultShipping: change.defaultShipping ?? (defaultShipping == nil),
            isDefaultBilling: change.defaultBilling ?? (defaultBilling == nil), createdAt: now, updatedAt: now)
        entries.append(entry)
        settleDefaults(around: entries.count - 1)
        return entries[entries.count - 1]
    }

    /// Changes entry `id`; 404 `customer.address_not_found` when the book has none.
    public mutating func update(_ id: String, _ change: AddressChange, now: Date) throws(Problem) -> AddressEntry {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { throw Self.notFound(id) }
        var entry = entries[index]
        if let address = change.address { entry.address = address }
        if let label = change.label { entry.label = label.isEmpty ? nil : label }
        if let flag = change.defaultShipping { entry.isDefaultShipping = flag }
        if let flag = change.defaultBilling { entry.isDefaultBilling = flag }
        entry.updatedAt = now
        entries[index] = entry
        settleDefaults(around: index)
        return entries[index]
    }

    /// Removes entry `id`; 404 when the book has none.
    public mutating func remove(_ id: String) throws(Problem) {
        guard let index = entries.firstIndex(where: { $0.id == id }) else { throw Self.notFound(id) }
        entries.remove(at: index)
    }

    /// Entry `id`, or 404.
    public func entry(_ id: String) throws(Problem) -> AddressEntry {
        guard let entry = entries.first(where: { $0.id == id }) else { throw Self.notFound(id) }
        return entry
    }

    /// The entry at `index` keeps the defaults it holds; every other entry gives them up.
    private mutating func settleDefaults(around index: Int) {
        let chosen = entries[index]
        for other in entries.indices where other != index {
            if chosen.isDefaultShipping { entries[other].isDefaultShipping = false }
            if chosen.isDefaultBilling { entries[other].isDefaultBilling = false }
        }
    }

    static func notFound(_ id: String) -> Problem {
        Problem.notFound("customer.address_not_found", "Your address book has no address \(id).")
    }
}
