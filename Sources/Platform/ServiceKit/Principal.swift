/// A role in Sprocket: what an account may do.
public enum Role: String, Codable, Sendable, CaseIterable, Comparable {
    case customer
    case staff
    case admin

    private var rank: Int {
        switch self {
        case .customer: 0
        case .staff: 1
        case .admin: 2
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// The authenticated caller of a request, read from a verified access token.
public struct Principal: Sendable, Equatable {
    /// The account id (the token's `sub`).
    public let subject: String
    public let email: String
    public let role: Role

    public init(subject: String, email: String, role: Role) {
        self.subject = subject
        self.email = email
        self.role = role
    }

    /// Whether the caller is staff or admin (sees everyone's data).
    public var isStaff: Bool { role >= .staff }
}
