/// The anchored patterns the contracts use (`^…$` of character classes, literals and groups with
/// `* + ? {m} {m,n}`), matched natively over Unicode scalars.
///
/// `NSRegularExpression` on Linux costs tens of microseconds per match, and a request body holds a dozen
/// patterned fields; this matcher is what runs on every request. A pattern outside this subset is
/// `nil` here and goes to `NSRegularExpression` instead, with the same meaning.
struct ScalarPattern: Sendable {
    private enum Node: Sendable {
        case set(ranges: [ClosedRange<UInt32>], negated: Bool)
        case group([Piece])
    }

    private struct Piece: Sendable {
        let node: Node
        let min: Int
        let max: Int
    }

    private let pieces: [Piece]

    init?(_ source: String) {
        var scalars = Array(source.unicodeScalars)
        guard scalars.first == "^", scalars.last == "$", scalars.count >= 2, scalars[scalars.count - 2] != "\\" else {
            return nil
        }
        scalars = Array(scalars.dropFirst().dropLast())
        var index = 0
        guard let pieces = Self.sequence(scalars, &index, inGroup: false), index == scalars.count else { return nil }
        self.pieces = pieces
    }

    func matches(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        return Self.match(pieces[...], scalars, 0) { $0 == scalars.count }
    }

    // MARK: Matching (greedy, backtracking; single-scalar pieces repeat without recursion)

    private static func match(
        _ pieces: ArraySlice<Piece>, _ text: [Unicode.Scalar], _ position: Int, _ rest: (Int) -> Bool
    ) -> Bool {
        guard let piece = pieces.first else { return rest(position) }
        let tail = pieces.dropFirst()
        switch piece.node {
        case .set(let ranges, let negated):
            var count = 0
            while count < piece.max, position + count < text.count,
                contains(ranges, negated, text[position + count])
            {
                count += 1
            }
            guard count >= piece.min else { return false }
            for taken in stride(from: count, through: piece.min, by: -1) {
                if match(tail, text, position + taken, rest) { return true }
            }
            return false
        case .group(let inner):
            func repeatGroup(_ done: Int, _ at: Int) -> Bool {
                if done < piece.max,
                    match(inner[...], text, at, { next in next != at && repeatGroup(done + 1, next) })
                {
                    return true
                }
                return done >= piece.min && match(tail, text, at, rest)
            }
            return repeatGroup(0, position)
        }
    }

    private static func contains(_ ranges: [ClosedRange<UInt32>], _ negated: Bool, _ scalar: Unicode.Scalar) -> Bool {
        ranges.contains { $0.contains(scalar.value) } != negated
    }

    // MARK: Parsing

    private static func sequence(_ scalars: [Unicode.Scalar], _ index: inout Int, inGroup: Bool) -> [Piece]? {
        var pieces: [Piece] = []
        while index < scalars.count {
            let scalar = scalars[index]
            let node: Node
            switch scalar {
            case ")":
                return inGroup ? pieces : nil
            case "(":
                index += 1
                guard let inner = sequence(scalars, &index, inGroup: true), index < scalars.count,
                    scalars[index] == ")"
                else { return nil }
                index += 1
                node = .group(inner)
            case "[":
                index += 1
                guard let set = characterClass(scalars, &index) else { return nil }
                node = set
            case "\\":
                index += 1
                guard let escaped = escape(scalars, &index) else { return nil }
                node = .set(ranges: [escaped...escaped], negated: false)
            case ".", "|", "*", "+", "?", "{", "}", "^", "$", "]":
                return nil  // outside the subset (or malformed): NSRegularExpression decides
            default:
                index += 1
                node = .set(ranges: [scalar.value...scalar.value], negated: false)
            }
            guard let (min, max) = quantifier(scalars, &index) else { return nil }
            pieces.append(Piece(node: node, min: min, max: max))
        }
        return inGroup ? nil : pieces
    }

    private static func quantifier(_ scalars: [Unicode.Scalar], _ index: inout Int) -> (Int, Int)? {
        guard index < scalars.count else { return (1, 1) }
        switch scalars[index] {
        case "*":
            index += 1
            return (0, Int.max)
        case "+":
            index += 1
            return (1, Int.max)
        case "?":
            index += 1
            return (0, 1)
        case "{":
            guard let close = scalars[index...].firstIndex(of: "}") else { return nil }
            let body = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
            let bounds = body.split(separator: ",", omittingEmptySubsequences: false)
            guard let low = Int(bounds[0]) else { return nil }
            let high = bounds.count == 1 ? low : Int(bounds[1])
            guard bounds.count <= 2, let high, low <= high else { return nil }
            index = close + 1
            return (low, high)
        default:
            return (1, 1)
        }
    }

    private static func characterClass(_ scalars: [Unicode.Scalar], _ index: inout Int) -> Node? {
        var negated = false
        if index < scalars.count, scalars[index] == "^" {
            negated = true
            index += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while index < scalars.count {
            var scalar = scalars[index]
            if scalar == "]", !first {
                index += 1
                return .set(ranges: ranges, negated: negated)
            }
            first = false
            index += 1
            var low = scalar.value
            if scalar == "\\" {
                guard let escaped = escape(scalars, &index) else { return nil }
                low = escaped
            }
            var high = low
            if index + 1 < scalars.count, scalars[index] == "-", scalars[index + 1] != "]" {
                index += 1
                scalar = scalars[index]
                index += 1
                high = scalar.value
                if scalar == "\\" {
                    guard let escaped = escape(scalars, &index) else { return nil }
                    high = escaped
                }
                guard low <= high else { return nil }
            }
            ranges.append(low...high)
        }
        return nil
    }

    /// After a backslash: the scalar value of `\xHH`, `\uHHHH` or an escaped punctuation character.
    private static func escape(_ scalars: [Unicode.Scalar], _ index: inout Int) -> UInt32? {
        guard index < scalars.count else { return nil }
        let scalar = scalars[index]
        index += 1
        let digits: Int
        switch scalar {
        case "x": digits = 2
        case "u": digits = 4
        default:
            // Letters and digits escape to classes or back-references: not in the subset.
            guard scalar.isASCII, !scalar.properties.isAlphabetic, !("0"..."9").contains(scalar) else { return nil }
            return scalar.value
        }
        guard index + digits <= scalars.count,
            let value = UInt32(String(String.UnicodeScalarView(scalars[index..<index + digits])), radix: 16)
        else { return nil }
        index += digits
        return value
    }
}
