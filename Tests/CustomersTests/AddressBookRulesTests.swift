import Customers
import Foundation
import ServiceKit
import Testing

@Suite("Address book rules")
struct AddressBookRulesTests {
    static let home = Address(
        firstName: "Dana", lastName: "Fischer", line1: "Werkstattstraße 12", city: "Berlin",
        postalCode: "10115", country: "DE")
    static let workshop = Address(
        firstName: "Luc", lastName: "Martin", line1: "8 rue des Pistons", city: "Lyon",
        postalCode: "69003", country: "fr")
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func change(
        _ address: Address?, label: String? = nil, shipping: Bool? = nil, billing: Bool? = nil
    ) throws -> AddressChange {
        try AddressChange(address: address, label: label, defaultShipping: shipping, defaultBilling: billing)
    }

    @Test func theFirstAddressBecomesTheDefaultOfBothKindsAndLaterOnesDoNot() throws {
        var book = AddressBook(entries: [])
        let first = try book.add(try Self.change(Self.home), id: "a", now: Self.now)
        #expect(first.isDefaultShipping && first.isDefaultBilling)
        let second = try book.add(try Self.change(Self.workshop), id: "b", now: Self.now)
        #expect(!second.isDefaultShipping && !second.isDefaultBilling)
        #expect(second.address.country == "FR")
        #expect(book.defaultShipping == Self.home)
        #expect(book.defaultBilling == Self.home)
    }

    @Test func makingAnEntryTheDefaultTakesItFromTheOtherOfThatKindOnly() throws {
        var book = AddressBook(entries: [])
        _ = try book.add(try Self.change(Self.home), id: "a", now: Self.now)
        _ = try book.add(try Self.change(Self.workshop, shipping: true), id: "b", now: Self.now)
        #expect(book.defaultShipping?.city == "Lyon")
        #expect(book.defaultBilling?.city == "Berlin")
        _ = try book.update("b", try Self.change(nil, billing: true), now: Self.now)
        #expect(book.entries.map(\.isDefaultBilling) == [false, true])
        _ = try book.update("b", try Self.change(nil, shipping: false), now: Self.now)
        #expect(book.defaultShipping == nil)
    }

    @Test func aNewAddressMayDeclineToBeTheDefaultEvenOfAnEmptyBook() throws {
        var book = AddressBook(entries: [])
        let entry = try book.add(try Self.change(Self.home, billing: false), id: "a", now: Self.now)
        #expect(entry.isDefaultShipping)
        #expect(!entry.isDefaultBilling)
    }

    @Test func removingTheDefaultLeavesNoneAndUnknownEntriesAre404() throws {
        var book = AddressBook(entries: [])
        _ = try book.add(try Self.change(Self.home), id: "a", now: Self.now)
        _ = try book.add(try Self.change(Self.workshop), id: "b", now: Self.now)
        try book.remove("a")
        #expect(book.defaultShipping == nil && book.defaultBilling == nil)
        #expect(book.entries.map(\.id) == ["b"])
        #expect(throws: Problem.self) { try book.remove("a") }
        #expect(throws: Problem.self) { _ = try book.update("zzz", try Self.change(nil, label: "x"), now: Self.now) }
    }

    @Test func labelsAreTrimmedAndAnEmptyOneRemovesIt() throws {
        var book = AddressBook(entries: [])
        let entry = try book.add(try Self.change(Self.home, label: "  Home "), id: "a", now: Self.now)
        #expect(entry.label == "Home")
        #expect(try book.update("a", try Self.change(nil, label: ""), now: Self.now).label == nil)
        #expect(throws: Problem.self) { _ = try Self.change(nil, label: String(repeating: "x", count: 101)) }
    }

    @Test func addressesAreValidatedAsOrdersAreWithFieldsUnderAddress() {
        var bad = Self.home
        bad.country = "XX"
        bad.city = "  "
        do {
            _ = try Self.change(bad)
            Issue.record("an invalid address was accepted")
        } catch let problem as Problem {
            #expect(Set(problem.errors?.map(\.field) ?? []) == ["address.country", "address.city"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aBookHoldsAtMostFiftyEntriesAndAnEntryNeedsAnAddress() throws {
        var book = AddressBook(entries: [])
        for index in 0..<AddressBook.maxEntries {
            _ = try book.add(try Self.change(Self.home), id: "\(index)", now: Self.now)
        }
        #expect(throws: Problem.self) { _ = try book.add(try Self.change(Self.home), id: "x", now: Self.now) }
        var empty = AddressBook(entries: [])
        #expect(throws: Problem.self) { _ = try empty.add(try Self.change(nil), id: "x", now: Self.now) }
    }
}
