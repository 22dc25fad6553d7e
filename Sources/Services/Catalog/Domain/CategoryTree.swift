import Foundation
import ServiceKit

/// A node of the category tree, e.g. `Brakes › Pads`.
public struct Category: Sendable, Equatable {
    public var id: String
    public var name: String
    public var parentId: String?
    /// Names from the root, e.g. `["Brakes", "Pads"]`.
    public var path: [String]

    public init(id: String, name: String, parentId: String?, path: [String]) {
        self.id = id
        self.name = name
        self.parentId = parentId
        self.path = path
    }
}

/// The category tree's rules: pure.
public enum CategoryTree {
    public static let maxDepth = 8

    /// Names along `path` (`"Brakes › Pads"` or `"Brakes/Pads"`), trimmed, empty ones skipped. 422 when no
    /// name is left; 409 `catalog.category_invalid` when a name is longer than 100 characters or the path
    /// deeper than ``maxDepth`` (well-formed text the tree cannot hold).
    public static func names(_ path: String) throws(Problem) -> [String] {
        let names = split(path)
        guard !names.isEmpty else {
            throw Problem.validation([FieldError(field: "category", message: "must be names separated by ›, / or >")])
        }
        return try checked(names)
    }

    /// The names along `path`, trimmed, empty ones skipped.
    private static func split(_ path: String) -> [String] {
        // Split by scalars, not characters: grapheme breaking made this a seventh of a parts import.
        path.unicodeScalars.split(omittingEmptySubsequences: false) { $0 == "›" || $0 == "/" || $0 == ">" }
            .map { String(String.UnicodeScalarView($0)).trimmed }.filter { !$0.isEmpty }
    }

    private static func checked(_ names: [String]) throws(Problem) -> [String] {
        guard names.allSatisfy({ $0.count <= 100 }), names.count <= maxDepth else {
            throw Problem.conflict(
                "catalog.category_invalid",
                "A category path has at most \(maxDepth) levels of names of at most 100 characters.")
        }
        return names
    }

    /// ``names(_:)`` of `path`, or `nil` for no category: `nil`, or a path without a name (only spaces or
    /// separators, as the contract allows any text there).
    public static func names(orNone path: String?) throws(Problem) -> [String]? {
        guard let path, case let names = split(path), !names.isEmpty else { return nil }
        return try checked(names)
    }

    /// The path's names joined for display: `Brakes › Pads`.
    public static func display(_ names: [String]) -> String { names.joined(separator: " › ") }

    /// The ids of `root` and every category below it, given every category's parent.
    public static func subtree(of root: String, parents: [String: String?]) -> Set<String> {
        var children: [String: [String]] = [:]
        for (id, parent) in parents { if let parent { children[parent, default: []].append(id) } }
        var result: Set<String> = [root]
        var queue = [root]
        while let next = queue.popLast() {
            for child in children[next] ?? [] where result.insert(child).inserted { queue.append(child) }
        }
        return result
    }
}
