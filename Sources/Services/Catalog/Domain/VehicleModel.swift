import Foundation
import ServiceKit

/// What a model is: a car, a truck or an appliance.
public enum ModelKind: String, Sendable, CaseIterable {
    case car, truck, appliance
}

/// A car, truck or appliance model that parts fit, e.g. "Volkswagen Golf VII 1.4 TSI (2013–2020)" or the
/// washing machine "Bosch Serie 6 WAW28440".
public struct VehicleModel: Sendable, Equatable {
    public var id: String
    public var kind: ModelKind
    public var make: String
    public var model: String
    public var variant: String?
    public var engine: String?
    public var yearFrom: Int?
    public var yearTo: Int?
    public var modelNumber: String?
    public var createdAt: Date

    public init(
        id: String, kind: ModelKind, make: String, model: String, variant: String? = nil, engine: String? = nil,
        yearFrom: Int? = nil, yearTo: Int? = nil, modelNumber: String? = nil, createdAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.make = make
        self.model = model
        self.variant = variant
        self.engine = engine
        self.yearFrom = yearFrom
        self.yearTo = yearTo
        self.modelNumber = modelNumber
        self.createdAt = createdAt
    }

    /// The words a search matches: make, model, variant, engine and model number, lower case.
    public var searchText: String {
        [make, model, variant, engine, modelNumber].compactMap { $0 }.joined(separator: " ").lowercased()
    }

    public static let idRule = "must be 1 to 64 of A-Z, a-z, 0-9, '-', '.', '_'"

    /// Whether `id` can name a model: 1 to 64 of A-Z, a-z, 0-9, `-`, `.`, `_`.
    public static func isValidId(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == 0x2D || byte == 0x2E || byte == 0x5F
            }
    }

    /// Validates a new model: make and model 1–100 characters, the other texts at most 100, years
    /// 1886–2100; 422 listing every invalid field; 409 `catalog.model_years_inverted` when `yearTo` is before
    /// `yearFrom`.
    public static func create(
        kind: ModelKind, make: String, model: String, variant: String?, engine: String?, yearFrom: Int?, yearTo: Int?,
        modelNumber: String?, id: String, now: Date
    ) throws(Problem) -> VehicleModel {
        var validator = Validator()
        validator.check(isValidId(id), "id", idRule)
        func text(_ value: String?, _ field: String, required: Bool) -> String? {
            let trimmed = value?.trimmed
            if required { validator.check(!(trimmed ?? "").isEmpty, field, "must not be empty") }
            validator.check((trimmed ?? "").count <= 100, field, "must be at most 100 characters")
            return trimmed.flatMap { $0.isEmpty ? nil : $0 }
        }
        let make = text(make, "make", required: true)
        let name = text(model, "model", required: true)
        let variant = text(variant, "variant", required: false)
        let engine = text(engine, "engine", required: false)
        let number = text(modelNumber, "modelNumber", required: false)
        for (year, field) in [(yearFrom, "yearFrom"), (yearTo, "yearTo")] {
            if let year { validator.check((1886...2100).contains(year), field, "must be a year from 1886 to 2100") }
        }
        try validator.throwIfInvalid()
        if let from = yearFrom, let to = yearTo, from > to {
            throw Problem(
                status: .conflict, code: "catalog.model_years_inverted", title: "Conflict",
                detail: "yearTo (\(to)) is before yearFrom (\(from)).",
                errors: [FieldError(field: "yearTo", message: "must not be before yearFrom")])
        }
        return VehicleModel(
            id: id, kind: kind, make: make ?? "", model: name ?? "", variant: variant, engine: engine,
            yearFrom: yearFrom, yearTo: yearTo, modelNumber: number, createdAt: now)
    }
}
