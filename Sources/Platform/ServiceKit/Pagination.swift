import Foundation

/// A validated page request: how many items, and after which position.
///
/// A cursor is the sort key of the last item of the previous page, its values joined by `_` (keyset
/// pagination): `BRK-100` for parts, `1764422400000000_0193…` (microseconds, id) for orders. Any
/// cursor that matches the list's documented pattern is a valid position, so a cursor is never refused.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let maxLimit = 200

    public let limit: Int
    /// The sort key of the last item of the previous page; empty for the first page.
    public let after: [String]

    public init(limit: Int = PageRequest.defaultLimit, after: [String] = []) {
        self.limit = limit
        self.after = after
    }

    /// Validates `limit` (1...200, default 50) and `cursor`; 422 with field errors otherwise.
    public init(limit: Int?, cursor: String?, keyCount: Int) throws(Problem) {
        var validator = Validator()
        let limit = limit ?? Self.defaultLimit
        validator.check((1...Self.maxLimit).contains(limit), "limit", "must be between 1 and \(Self.maxLimit)")
        var after: [String] = []
        if let cursor, !cursor.isEmpty {
            let values = cursor.split(separator: "_", maxSplits: max(0, keyCount - 1), omittingEmptySubsequences: false)
                .map(String.init)
            if values.count == keyCount, !values.contains(where: \.isEmpty) {
                after = values
            } else {
                validator.fail("cursor", "is not a cursor this list returns")
            }
        }
        try validator.throwIfInvalid()
        self.init(limit: limit, after: after)
    }

    /// The cursor that continues after an item with `key`.
    public static func cursor(after key: [String]) -> String {
        key.joined(separator: "_")
    }
}

/// One page of items and the cursor to the next page (`nil` on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// Builds a page from up to `limit + 1` fetched rows: the extra row only says there is more.
    public init(fetched: [Item], limit: Int, key: (Item) -> [String]) {
        if fetched.count > limit {
            let items = Array(fetched.prefix(limit))
            self.init(items: items, nextCursor: items.last.map { PageRequest.cursor(after: key($0)) })
        } else {
            self.init(items: fetched, nextCursor: nil)
        }
    }

    public func map<T>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), nextCursor: nextCursor)
    }
}
