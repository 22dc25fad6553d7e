import ServiceKit

/// Tax rates by billing country, in basis points (1900 = 19 %).
///
/// The default table holds the EU member states' standard VAT rates and 0 for the United States
/// (sales tax is out of scope); every other country is 0 unless configured. Configuration
/// (`SPROCKET_TAX_RATES`, e.g. `DE=19,GB=20,CH=8.1`) overrides or adds entries.
public struct TaxTable: Sendable, Equatable {
    public private(set) var rates: [String: Int]

    public init(rates: [String: Int] = TaxTable.euStandardRates) {
        self.rates = rates
    }

    /// The rate for a billing country.
    public func rate(for country: String) -> Int { rates[country] ?? 0 }

    /// The default table plus overrides parsed from `COUNTRY=PERCENT,…`; `nil` when the text is malformed.
    public init?(overrides text: String) {
        var rates = TaxTable.euStandardRates
        for entry in text.split(separator: ",") where !entry.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let percent = Double(parts[1].trimmingCharacters(in: .whitespaces)),
                (0...100).contains(percent)
            else { return nil }
            let country = parts[0].trimmingCharacters(in: .whitespaces).uppercased()
            guard Countries.alpha2.contains(country) else { return nil }
            rates[country] = Int((percent * 100).rounded())
        }
        self.init(rates: rates)
    }

    /// EU standard VAT rates (2025), and the US at 0.
    public static let euStandardRates: [String: Int] = [
        "AT": 2000, "BE": 2100, "BG": 2000, "HR": 2500, "CY": 1900, "CZ": 2100, "DK": 2500, "EE": 2400,
        "FI": 2550, "FR": 2000, "DE": 1900, "GR": 2400, "HU": 2700, "IE": 2300, "IT": 2200, "LV": 2100,
        "LT": 2100, "LU": 1700, "MT": 1800, "NL": 2100, "PL": 2300, "PT": 2300, "RO": 2100, "SK": 2300,
        "SI": 2200, "ES": 2100, "SE": 2500, "US": 0,
    ]
}
