/// An exact amount of one currency, in integer minor units (cents): how prices are kept and summed.
///
/// On the wire it is `{"amount": "12.50", "currency": "EUR"}`, a decimal string.
public struct Money: Sendable, Equatable, Hashable, Codable {
    public var minorUnits: Int64
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// Digits after the decimal point for `currency` (ISO 4217; 2 unless listed).
    public static func exponent(of currency: String) -> Int {
        switch currency {
        case "JPY", "KRW", "ISK", "CLP", "VND": 0
        case "BHD", "KWD", "OMR", "JOD", "TND": 3
        default: 2
        }
    }

    /// Parses a decimal string such as `"12.5"` or `"12.50"` in `currency`; `nil` when it is not an
    /// exact non-negative amount with at most the currency's number of decimals.
    public init?(decimal text: String, currency: String) {
        let exponent = Self.exponent(of: currency)
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.count <= 13, whole.allSatisfy(\.isASCIIDigit) else {
            return nil
        }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= exponent, fraction.allSatisfy(\.isASCIIDigit), parts.count == 1 || !fraction.isEmpty
        else {
            return nil
        }
        guard let wholeValue = Int64(whole) else { return nil }
        let padded = fraction + String(repeating: "0", count: exponent - fraction.count)
        var scale: Int64 = 1
        for _ in 0..<exponent { scale *= 10 }
        self.init(minorUnits: wholeValue * scale + (Int64(padded) ?? 0), currency: currency)
    }

    /// The amount as a decimal string with exactly the currency's number of decimals.
    public var decimal: String {
        let exponent = Self.exponent(of: currency)
        guard exponent > 0 else { return String(minorUnits) }
        let sign = minorUnits < 0 ? "-" : ""
        let magnitude = minorUnits.magnitude
        var scale: UInt64 = 1
        for _ in 0..<exponent { scale *= 10 }
        let fraction = String(magnitude % scale)
        return "\(sign)\(magnitude / scale).\(String(repeating: "0", count: exponent - fraction.count))\(fraction)"
    }
}

extension Money {
    /// `self × factor`, or `nil` when the result does not fit in 64 bits.
    public func multiplied(by factor: Int) -> Money? {
        let (value, overflow) = minorUnits.multipliedReportingOverflow(by: Int64(factor))
        return overflow ? nil : Money(minorUnits: value, currency: currency)
    }

    /// `self + other` (same currency), or `nil` when the result does not fit in 64 bits.
    public func adding(_ other: Money) -> Money? {
        let (value, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        return overflow ? nil : Money(minorUnits: value, currency: currency)
    }
}

extension Money {
    private enum CodingKeys: String, CodingKey {
        case amount, currency
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let currency = try container.decode(String.self, forKey: .currency)
        let amount = try container.decode(String.self, forKey: .amount)
        guard let money = Money(decimal: amount, currency: currency) else {
            throw DecodingError.dataCorruptedError(
                forKey: .amount, in: container, debugDescription: "not an exact amount")
        }
        self = money
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(decimal, forKey: .amount)
        try container.encode(currency, forKey: .currency)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
