import Foundation
import ServiceKit

/// A place stock is kept and shipped from.
public struct Warehouse: Sendable, Equatable {
    public var code: String
    public var name: String
    public var country: String
    public var region: String?
    public var createdAt: Date

    public init(code: String, name: String, country: String, region: String?, createdAt: Date) {
        self.code = code
        self.name = name
        self.country = country
        self.region = region
        self.createdAt = createdAt
    }

    /// A new warehouse from what an admin sent: code in upper case, text trimmed, region optional.
    public static func create(
        code: String, name: String, country: String, region: String?, now: Date
    ) throws(Problem) -> Warehouse {
        var validator = Validator()
        let code = code.uppercased()
        validator.check(
            (2...16).contains(code.count)
                && code.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") },
            "code", "must be 2 to 16 of A-Z, 0-9 and '-'")
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check(!name.isEmpty && name.count <= 100, "name", "must be 1 to 100 characters")
        validator.check(
            country.count == 2 && country.allSatisfy { $0.isASCII && $0.isUppercase }, "country",
            "must be an ISO 3166-1 alpha-2 code")
        let region = region?.trimmingCharacters(in: .whitespacesAndNewlines)
        validator.check((region?.count ?? 0) <= 100, "region", "must be at most 100 characters")
        try validator.throwIfInvalid()
        return Warehouse(
            code: code, name: name, country: country, region: region?.isEmpty == true ? nil : region, createdAt: now)
    }

    public var site: Site { Site(code: code, country: country, region: region) }

    /// The default warehouse of `warehouses`: the oldest (by code among those created at once). Stock
    /// changes that name no warehouse go there.
    public static func defaultCode(of warehouses: [Warehouse]) -> String? {
        warehouses.min { ($0.createdAt, $0.code) < ($1.createdAt, $1.code) }?.code
    }
}

/// One recorded change of a stock row.
public struct LedgerEntry: Sendable, Equatable {
    /// What changed the row.
    public enum Cause: String, Sendable, CaseIterable {
        case set, adjustment, reserve, release, commit
    }

    public var seq: Int
    public var warehouse: String
    public var sku: String
    public var cause: Cause
    public var onHandDelta: Int
    public var reservedDelta: Int
    public var onHandAfter: Int
    public var reservedAfter: Int
    public var orderId: String?
    public var reason: String?
    public var actor: String
    public var at: Date

    public init(
        seq: Int, warehouse: String, sku: String, cause: Cause, onHandDelta: Int, reservedDelta: Int,
        onHandAfter: Int, reservedAfter: Int, orderId: String?, reason: String?, actor: String, at: Date
    ) {
        self.seq = seq
        self.warehouse = warehouse
        self.sku = sku
        self.cause = cause
        self.onHandDelta = onHandDelta
        self.reservedDelta = reservedDelta
        self.onHandAfter = onHandAfter
        self.reservedAfter = reservedAfter
        self.orderId = orderId
        self.reason = reason
        self.actor = actor
        self.at = at
    }
}

/// What can be ordered of one SKU: in total, and per warehouse (with bins and counts for staff).
public struct Availability: Sendable, Equatable {
    public struct AtWarehouse: Sendable, Equatable {
        public var warehouse: String
        public var country: String
        public var available: Int
        /// `nil` for a bundle (it has no stock of its own).
        public var stock: StockLevel?
    }

    public var sku: String
    public var isBundle: Bool
    public var available: Int
    public var warehouses: [AtWarehouse]

    /// A part's availability from its stock rows.
    static func part(_ sku: String, rows: [StockLevel], sites: [String: Site]) -> Availability {
        let at = rows.map { row in
            AtWarehouse(
                warehouse: row.warehouse, country: sites[row.warehouse]?.country ?? "", available: row.available,
                stock: row)
        }
        return Availability(sku: sku, isBundle: false, available: at.reduce(0) { $0 + $1.available }, warehouses: at)
    }

    /// A bundle's availability: as many as its scarcest component allows, per warehouse and (since an
    /// order may be split) over all warehouses together.
    static func bundle(
        _ sku: String, perUnit needs: [String: Int], rows: [StockLevel], sites: [Site]
    ) -> Availability {
        func kits(_ available: (String) -> Int) -> Int {
            needs.map { leaf, need in need > 0 ? max(0, available(leaf)) / need : Int.max }.min() ?? 0
        }
        let at = sites.sorted { $0.code < $1.code }.compactMap { site -> AtWarehouse? in
            let here = rows.filter { $0.warehouse == site.code }
            guard !here.isEmpty else { return nil }
            let count = kits { leaf in here.first { $0.sku == leaf }?.available ?? 0 }
            return AtWarehouse(warehouse: site.code, country: site.country, available: count, stock: nil)
        }
        let total = kits { leaf in rows.filter { $0.sku == leaf }.reduce(0) { $0 + $1.available } }
        return Availability(sku: sku, isBundle: true, available: total, warehouses: at)
    }
}
