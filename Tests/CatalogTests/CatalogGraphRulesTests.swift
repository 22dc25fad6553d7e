import Catalog
import Foundation
import ServiceKit
import Testing

@Suite("Catalog graph rules")
struct CatalogGraphRulesTests {
    @Test func aModelIsValidatedFieldByField() throws {
        let model = try VehicleModel.create(
            kind: .appliance, make: " Bosch ", model: "Serie 6", variant: "", engine: nil, yearFrom: nil, yearTo: nil,
            modelNumber: "WAW28440", id: "m1", now: Date())
        #expect(model.make == "Bosch")
        #expect(model.variant == nil)
        #expect(model.searchText == "bosch serie 6 waw28440")
        do {
            _ = try VehicleModel.create(
                kind: .car, make: "", model: String(repeating: "x", count: 101), variant: nil, engine: nil,
                yearFrom: 2020, yearTo: 2010, modelNumber: nil, id: "m2", now: Date())
            Issue.record("an invalid model was made")
        } catch {
            #expect(error.errors?.map(\.field).sorted() == ["make", "model"])
        }
        do {
            _ = try VehicleModel.create(
                kind: .car, make: "VW", model: "Golf", variant: nil, engine: nil, yearFrom: 2020, yearTo: 2010,
                modelNumber: nil, id: "m3", now: Date())
            Issue.record("a model ending before it began was made")
        } catch {
            #expect(error.code == "catalog.model_years_inverted")
            #expect(error.status == 409)
        }
    }

    @Test func supersessionRefusesCyclesAndOverlongChains() throws {
        let successors = ["A": "B", "B": "C"]
        #expect(throws: Problem.self) { try SupersessionRules.check("C", supersededBy: "A", successors: successors) }
        #expect(throws: Problem.self) { try SupersessionRules.check("A", supersededBy: "A", successors: [:]) }
        try SupersessionRules.check("C", supersededBy: "D", successors: successors)
        var long: [String: String] = [:]
        for index in 0..<SupersessionRules.maxChain { long["P\(index)"] = "P\(index + 1)" }
        do {
            try SupersessionRules.check("P\(SupersessionRules.maxChain)", supersededBy: "Q", successors: long)
            Issue.record("a chain longer than the limit was made")
        } catch {
            #expect(error.code == "catalog.supersession_too_long")
        }
        #expect(SupersessionRules.current(of: "A", successors: successors, active: ["B", "C"]) == "C")
        #expect(SupersessionRules.current(of: "A", successors: successors, active: ["B"]) == "B")
        #expect(SupersessionRules.current(of: "A", successors: successors, active: []) == "C")
        #expect(SupersessionRules.current(of: "Z", successors: successors, active: []) == "Z")
    }

    @Test func categoryPathsAndSubtrees() throws {
        #expect(try CategoryTree.names("Brakes › Pads") == ["Brakes", "Pads"])
        #expect(try CategoryTree.names("Brakes/Discs") == ["Brakes", "Discs"])
        #expect(try CategoryTree.names("Brakes//Pads/") == ["Brakes", "Pads"])
        #expect(throws: Problem.self) { try CategoryTree.names(" / ") }
        #expect(try CategoryTree.names(orNone: " / ") == nil, "a path without a name is no category")
        #expect(try CategoryTree.names(orNone: "  ") == nil)
        #expect(try CategoryTree.names(orNone: "> Pads") == ["Pads"])
        #expect(throws: Problem.self) { try CategoryTree.names(orNone: "a/b/c/d/e/f/g/h/i") }
        #expect(throws: Problem.self) { try CategoryTree.names(String(repeating: "x", count: 101)) }
        #expect(throws: Problem.self) { try CategoryTree.names("a/b/c/d/e/f/g/h/i") }
        let parents: [String: String?] = ["brakes": nil, "pads": "brakes", "front": "pads", "filters": nil]
        #expect(CategoryTree.subtree(of: "brakes", parents: parents) == ["brakes", "pads", "front"])
        #expect(CategoryTree.subtree(of: "filters", parents: parents) == ["filters"])
    }

    @Test func aKitFitsWhenEveryComponentFitsHoweverDeep() {
        let recipes: [String: [String]] = [
            "BRAKE-KIT": ["PAD", "DISC"], "AXLE-KIT": ["BRAKE-KIT", "SPRING"], "HALF-KIT": ["PAD", "CLIP"],
            "LOOP-A": ["LOOP-B"], "LOOP-B": ["LOOP-A"], "EMPTY": [],
        ]
        #expect(FitmentRules.kitsThatFit(fitted: ["PAD", "DISC"], recipes: recipes) == ["BRAKE-KIT"])
        #expect(
            FitmentRules.kitsThatFit(fitted: ["PAD", "DISC", "SPRING"], recipes: recipes) == ["BRAKE-KIT", "AXLE-KIT"])
        // A sub-kit fitted itself fits, whatever its own components, and so does the kit above it.
        #expect(
            FitmentRules.kitsThatFit(fitted: ["BRAKE-KIT", "SPRING"], recipes: recipes) == ["BRAKE-KIT", "AXLE-KIT"])
        #expect(FitmentRules.kitsThatFit(fitted: ["PAD"], recipes: recipes).isEmpty)
        var deep: [String: [String]] = [:]
        for level in 0..<20 { deep["K\(level)"] = ["K\(level + 1)"] }
        #expect(FitmentRules.kitsThatFit(fitted: ["K20"], recipes: deep) == Set((4...19).map { "K\($0)" }))
    }
}
