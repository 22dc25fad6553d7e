import Foundation

/// A setting one service owns: its flag (`--name`) and `SPROCKET_` variable, what it means, its default,
/// and the rule a value must keep. A module lists its own (``ServiceModule/options``); the command line
/// takes them beside its own flags and shows them in `--help`, and the module reads them typed from
/// ``ServiceSettings/option(_:)``. The platform knows none of them.
public struct ServiceOption: Sendable {
    /// The flag without its dashes, e.g. `tax-rates`.
    public let name: String
    public let help: String
    public let defaultValue: String
    /// Written into the deployment files with its default (a setting an operator will want to see).
    public let deployed: Bool
    /// What is wrong with a value, or `nil` when it is fine.
    public let problem: @Sendable (String) -> String?

    public init(
        _ name: String, default defaultValue: String, deployed: Bool = false, help: String,
        problem: @escaping @Sendable (String) -> String? = { _ in nil }
    ) {
        self.name = name
        self.help = help
        self.defaultValue = defaultValue
        self.deployed = deployed
        self.problem = problem
    }

    public var flag: String { "--\(name)" }

    /// `SPROCKET_TAX_RATES` for `tax-rates`.
    public var variable: String { "SPROCKET_" + name.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// A rule: an integer within `range`.
    public static func integer(_ range: ClosedRange<Int>) -> @Sendable (String) -> String? {
        {
            Int($0).map(range.contains) == true
                ? nil : "must be a whole number from \(range.lowerBound) to \(range.upperBound)"
        }
    }

    /// A rule: `true` or `false`.
    public static let boolean: @Sendable (String) -> String? = {
        ["true", "false"].contains($0) ? nil : "must be true or false"
    }

    /// A rule: 1 to 200 characters on one line.
    public static let line: @Sendable (String) -> String? = { value in
        !value.trimmingCharacters(in: .whitespaces).isEmpty && value.count <= 200
            && !value.contains(where: { $0.isNewline || $0 == "\u{0}" })
            ? nil : "must be 1 to 200 characters on one line"
    }
}

/// The values of services' options on a command line: `--name value`, `--name=value`, else the
/// `SPROCKET_` variable, else the default.
public enum ServiceOptions {
    /// Takes every `options` flag (and its value) out of `arguments` and answers the values by name, with
    /// the variables of `environment` and the defaults for the rest; a missing value or one that breaks its
    /// rule is an error naming the flag.
    public static func extract(
        _ options: [ServiceOption], from arguments: inout [String], environment: [String: String]
    ) throws -> [String: String] {
        let byFlag = Dictionary(options.map { ($0.flag, $0) }, uniquingKeysWith: { first, _ in first })
        var given: [String: String] = [:]
        var remaining: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                remaining += arguments[index...]
                break
            }
            let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
            if let option = byFlag[parts[0]] {
                if parts.count == 2 {
                    given[option.name] = parts[1]
                } else if index + 1 < arguments.count {
                    given[option.name] = arguments[index + 1]
                    index += 1
                } else {
                    throw Invalid(description: "\(option.flag) needs a value")
                }
            } else {
                remaining.append(argument)
            }
            index += 1
        }
        arguments = remaining
        var values: [String: String] = [:]
        for option in options {
            let value =
                given[option.name] ?? environment[option.variable].flatMap { $0.isEmpty ? nil : $0 }
                ?? option.defaultValue
            if let problem = option.problem(value) { throw Invalid(description: "\(option.flag) \(problem)") }
            values[option.name] = value
        }
        return values
    }

    /// The options as `--help` lists them.
    public static func help(_ options: [(service: String, option: ServiceOption)]) -> String {
        options.map { service, option in
            "  \(option.flag) <value>\n        \(option.help) (\(service); default: \(option.defaultValue)) [\(option.variable)]"
        }.joined(separator: "\n")
    }

    /// A value on the command line that cannot be used.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }
}
