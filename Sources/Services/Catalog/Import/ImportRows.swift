import Foundation
import ServiceKit

/// What a CSV file holds: parts, models or fitments.
public enum ImportKind: String, Sendable, CaseIterable {
    case parts, models, fitments

    /// The columns a file of this kind must have.
    public var requiredColumns: [String] {
        switch self {
        case .parts: ["sku", "name", "price"]
        case .models: ["id", "kind", "make", "model"]
        case .fitments: ["sku", "model_id"]
        }
    }

    /// Every column a file of this kind may have, in the documented order.
    public var columns: [String] {
        switch self {
        case .parts:
            [
                "sku", "name", "description", "price", "currency", "weight_grams", "category", "components", "status",
                "superseded_by",
            ]
        case .models: ["id", "kind", "make", "model", "variant", "engine", "year_from", "year_to", "model_number"]
        case .fitments: ["sku", "model_id", "position", "quantity", "note"]
        }
    }
}

/// A file that cannot be imported at all (its header is wrong, or it is not CSV).
public struct ImportFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

/// The header row of a CSV file: which column holds which field. Column names are matched without case
/// and surrounding spaces; unknown columns are refused so that a typo is not silently ignored.
public struct ImportHeader: Sendable {
    public let kind: ImportKind
    private let index: [String: Int]
    /// How many columns the header names.
    public let columnCount: Int

    public init(_ record: CSVReader.Record, kind: ImportKind) throws(ImportFileError) {
        var index: [String: Int] = [:]
        for (position, name) in record.fields.enumerated() {
            let column = name.trimmed.lowercased()
            guard kind.columns.contains(column) else {
                throw ImportFileError(
                    line: record.line,
                    reason:
                        "unknown column \"\(name)\"; a \(kind.rawValue) file has \(kind.columns.joined(separator: ", "))"
                )
            }
            guard index[column] == nil else {
                throw ImportFileError(line: record.line, reason: "column \(column) appears twice")
            }
            index[column] = position
        }
        let missing = kind.requiredColumns.filter { index[$0] == nil }
        guard missing.isEmpty else {
            throw ImportFileError(line: record.line, reason: "missing columns: \(missing.joined(separator: ", "))")
        }
        self.kind = kind
        self.index = index
        self.columnCount = record.fields.count
    }

    /// The trimmed value of `column` in `record`; `nil` when absent or empty.
    public func value(_ column: String, in record: CSVReader.Record) -> String? {
        guard let position = index[column], position < record.fields.count else { return nil }
        let value = record.fields[position].trimmed
        return value.isEmpty ? nil : value
    }
}

/// One valid row of a parts file.
public struct PartRow: Sendable {
    public var part: Part
    public var category: [String]?
    public var supersededBy: String?
    /// The part's words for search (``CatalogStore/searchText(_:)``), made while the file is read rather
    /// than in the batch's transaction, which the database waits on.
    var searchText: String
}

/// Turns CSV rows into validated parts, models and fitments; a bad row is an ``ImportRowError`` with its
/// line and every reason. Pure.
public enum ImportRows {
    /// A parts row: `price` is a decimal in the store currency (a `currency` column, when present, must
    /// be it); `components` is `SKU*2;SKU` (quantity 1 when left out); `status` is `active` (default) or
    /// `discontinued`; `category` a path like `Brakes › Pads`.
    public static func part(
        _ record: CSVReader.Record, _ header: ImportHeader, currency: String, now: Date
    ) -> Result<PartRow, ImportRowError> {
        func value(_ column: String) -> String? { header.value(column, in: record) }
        var reasons: [String] = []
        var weight: Int?
        if let text = value("weight_grams") {
            weight = Int(text)
            if weight == nil { reasons.append("weight_grams: must be a whole number") }
        }
        var components: [(sku: String, quantity: Int)] = []
        for entry in (value("components") ?? "").split(separator: ";") {
            let parts = entry.split(separator: "*", maxSplits: 1).map(\.trimmed)
            guard let sku = parts.first, !sku.isEmpty else { continue }
            guard let quantity = parts.count == 2 ? Int(parts[1]) : 1 else {
                reasons.append("components: \"\(entry)\" must be SKU or SKU*quantity")
                continue
            }
            components.append((sku, quantity))
        }
        let status = value("status").map { PartStatus(rawValue: $0.lowercased()) }
        if case .some(nil) = status { reasons.append("status: must be active or discontinued") }
        let draft = PartDraft(
            sku: value("sku") ?? "", name: value("name") ?? "", description: value("description"),
            price: (value("price") ?? "", value("currency")?.uppercased() ?? currency), weightGrams: weight,
            components: components)
        var category: [String]?
        do {
            category = try CategoryTree.names(orNone: value("category"))
        } catch {
            reasons += (error.errors ?? []).map { "category: \($0.message)" }
        }
        var supersededBy: String?
        if let successor = value("superseded_by") {
            supersededBy = SKU.normalize(successor)
            if supersededBy == nil { reasons.append("superseded_by: \(SKU.rule)") }
        }
        do {
            var part = try Part.create(from: draft, currency: currency, now: now)
            if let status = status ?? nil { part.status = status }
            guard reasons.isEmpty else { return .failure(ImportRowError(line: record.line, reasons: reasons)) }
            return .success(
                PartRow(
                    part: part, category: category, supersededBy: supersededBy,
                    searchText: CatalogStore.searchText(part)))
        } catch {
            return .failure(ImportRowError(line: record.line, reasons: reasons + error.reasons))
        }
    }

    /// A models row: `kind` is car, truck or appliance; years are whole numbers.
    public static func model(_ record: CSVReader.Record, _ header: ImportHeader, now: Date) -> Result<
        VehicleModel, ImportRowError
    > {
        func value(_ column: String) -> String? { header.value(column, in: record) }
        var reasons: [String] = []
        let kind = ModelKind(rawValue: value("kind")?.lowercased() ?? "")
        if kind == nil { reasons.append("kind: must be car, truck or appliance") }
        func year(_ column: String) -> Int? {
            guard let text = value(column) else { return nil }
            guard let year = Int(text) else {
                reasons.append("\(column): must be a year")
                return nil
            }
            return year
        }
        let from = year("year_from")
        let to = year("year_to")
        do {
            let model = try VehicleModel.create(
                kind: kind ?? .car, make: value("make") ?? "", model: value("model") ?? "", variant: value("variant"),
                engine: value("engine"), yearFrom: from, yearTo: to, modelNumber: value("model_number"),
                id: value("id") ?? "", now: now)
            guard reasons.isEmpty else { return .failure(ImportRowError(line: record.line, reasons: reasons)) }
            return .success(model)
        } catch {
            return .failure(ImportRowError(line: record.line, reasons: reasons + error.reasons))
        }
    }

    /// A fitments row: `quantity` is how many the model takes (1 to 1,000).
    public static func fitment(_ record: CSVReader.Record, _ header: ImportHeader) -> Result<Fitment, ImportRowError> {
        func value(_ column: String) -> String? { header.value(column, in: record) }
        var reasons: [String] = []
        let sku = SKU.normalize(value("sku") ?? "")
        if sku == nil { reasons.append("sku: \(SKU.rule)") }
        var quantity: Int?
        if let text = value("quantity") {
            quantity = Int(text)
            if quantity == nil { reasons.append("quantity: must be a whole number") }
        }
        do {
            let fitment = try Fitment.create(
                sku: sku ?? "", modelId: value("model_id") ?? "", position: value("position"), quantity: quantity,
                note: value("note"))
            guard reasons.isEmpty else { return .failure(ImportRowError(line: record.line, reasons: reasons)) }
            return .success(fitment)
        } catch {
            return .failure(ImportRowError(line: record.line, reasons: reasons + error.reasons))
        }
    }
}

/// A row that was not imported, with its line and why.
public struct ImportRowError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reasons: [String]

    public init(line: Int, reasons: [String]) {
        self.line = line
        self.reasons = reasons
    }

    public var message: String { reasons.joined(separator: "; ") }
    public var description: String { "line \(line): \(message)" }
}

extension Problem {
    /// Each field error as `field: message`, or the detail when there are none.
    var reasons: [String] {
        let errors = errors ?? []
        return errors.isEmpty ? [detail ?? title] : errors.map { "\($0.field): \($0.message)" }
    }
}
