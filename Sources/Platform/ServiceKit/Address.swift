import Foundation

/// A postal address with contact: an order's shipping or billing address, an entry of a customer's
/// address book.
public struct Address: Sendable, Equatable, Codable {
    public var firstName: String
    public var lastName: String
    public var company: String?
    public var email: String?
    public var phone: String?
    public var line1: String
    public var line2: String?
    public var line3: String?
    public var city: String
    public var region: String?
    public var postalCode: String
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String

    public init(
        firstName: String, lastName: String, company: String? = nil, email: String? = nil, phone: String? = nil,
        line1: String, line2: String? = nil, line3: String? = nil, city: String, region: String? = nil,
        postalCode: String, country: String
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.company = company
        self.email = email
        self.phone = phone
        self.line1 = line1
        self.line2 = line2
        self.line3 = line3
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }

    /// The address trimmed and normalised, recording every invalid field under `prefix` in `validator`
    /// (`shippingAddress.city`; the bare field name when `prefix` is empty).
    public func validated(_ prefix: String, _ validator: inout Validator) -> Address {
        let prefix = prefix.isEmpty ? "" : prefix + "."
        func clean(_ text: String?) -> String? {
            guard let trimmed = text?.trimmed, !trimmed.isEmpty else {
                return nil
            }
            return trimmed
        }
        func required(_ value: String, _ field: String, _ maximum: Int) -> String {
            let trimmed = value.trimmed
            validator.check(
                (1...maximum).contains(trimmed.count), "\(prefix)\(field)", "must be 1 to \(maximum) characters")
            return trimmed
        }
        func optional(_ value: String?, _ field: String, _ maximum: Int) -> String? {
            let cleaned = clean(value)
            validator.check(
                (cleaned?.count ?? 0) <= maximum, "\(prefix)\(field)", "must be at most \(maximum) characters")
            return cleaned
        }
        var address = self
        address.firstName = required(firstName, "firstName", 100)
        address.lastName = required(lastName, "lastName", 100)
        address.company = optional(company, "company", 200)
        address.line1 = required(line1, "line1", 200)
        address.line2 = optional(line2, "line2", 200)
        address.line3 = optional(line3, "line3", 200)
        address.city = required(city, "city", 100)
        address.region = optional(region, "region", 100)
        address.postalCode = required(postalCode, "postalCode", 20)
        if !address.postalCode.isEmpty {
            validator.check(
                address.postalCode.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " " || $0 == "-") },
                "\(prefix)postalCode", "may hold only letters, digits, spaces and dashes"
            )
        }
        address.country = country.trimmed.uppercased()
        validator.check(
            Countries.alpha2.contains(address.country), "\(prefix)country",
            "must be an ISO 3166-1 alpha-2 code such as DE")
        if let email = clean(email) {
            let normalized = Email.normalize(email)
            validator.check(normalized != nil, "\(prefix)email", "must be an email address")
            address.email = normalized ?? email
        } else {
            address.email = nil
        }
        if let raw = phone, let phone = clean(raw) {
            validator.check(
                (5...30).contains(raw.count)
                    && phone.allSatisfy({ $0.isASCII && ($0.isNumber || " +-()./".contains($0)) })
                    && phone.contains(where: \.isNumber),
                "\(prefix)phone", "must be 5 to 30 digits, spaces and + - ( ) . /"
            )
            address.phone = phone
        } else {
            address.phone = nil
        }
        return address
    }
}
