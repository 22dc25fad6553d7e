import Foundation
import ServiceKit

/// A part fitted to a model, with where (e.g. "front axle") and how many the model takes.
public struct Fitment: Sendable, Equatable {
    public var sku: String
    public var modelId: String
    public var position: String?
    public var quantity: Int?
    public var note: String?

    public init(sku: String, modelId: String, position: String? = nil, quantity: Int? = nil, note: String? = nil) {
        self.sku = sku
        self.modelId = modelId
        self.position = position
        self.quantity = quantity
        self.note = note
    }

    /// Validates a fitment: position at most 100 characters, note at most 500, quantity 1 to 1,000;
    /// empty texts are none. 422 listing every invalid field.
    public static func create(
        sku: String, modelId: String, position: String?, quantity: Int?, note: String?
    ) throws(Problem) -> Fitment {
        var validator = Validator()
        func text(_ value: String?, _ field: String, max: Int) -> String? {
            let trimmed = value?.trimmed ?? ""
            validator.check(trimmed.count <= max, field, "must be at most \(max) characters")
            validator.check(!trimmed.utf8.contains(0), field, "must not contain NUL")
            return trimmed.isEmpty ? nil : trimmed
        }
        let position = text(position, "position", max: 100)
        let note = text(note, "note", max: 500)
        if let quantity { validator.check((1...1000).contains(quantity), "quantity", "must be 1 to 1000") }
        validator.check(VehicleModel.isValidId(modelId), "modelId", VehicleModel.idRule)
        try validator.throwIfInvalid()
        return Fitment(sku: sku, modelId: modelId, position: position, quantity: quantity, note: note)
    }
}
