import Foundation
import ServiceKit

/// An account: a shopper, a warehouse worker or an administrator.
public struct Customer: Sendable, Equatable {
    public var id: String
    public var email: String
    public var name: String
    public var role: Role
    public var createdAt: Date
    /// When the account was disabled (it cannot log in, its tokens are refused); `nil` while enabled.
    public var disabledAt: Date?

    public init(id: String, email: String, name: String, role: Role, createdAt: Date, disabledAt: Date? = nil) {
        self.id = id
        self.email = email
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.disabledAt = disabledAt
    }
}

/// A registration that passed validation: normalised email, trimmed name, acceptable password, and the
/// first address of the book, normalised.
public struct Registration: Sendable {
    public let email: String
    public let name: String
    public let password: String
    public let address: Address?

    /// Validates the raw fields; 422 listing every invalid one.
    public init(email: String, name: String, password: String, address: Address? = nil) throws(Problem) {
        var validator = Validator()
        let normalized = Email.normalize(email)
        validator.check(normalized != nil, "email", "must be an email address like name@example.com")
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check((1...200).contains(trimmedName.count), "name", "must be 1 to 200 characters")
        validator.check(password.unicodeScalars.count >= 10, "password", "must be at least 10 characters")
        validator.check(password.unicodeScalars.count <= 1024, "password", "must be at most 1024 characters")
        self.address = address?.validated("address", &validator)
        try validator.throwIfInvalid()
        self.email = normalized ?? email
        self.name = trimmedName
        self.password = password
    }
}
