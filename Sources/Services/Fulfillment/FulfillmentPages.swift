import Foundation
import Mustache
import ServiceKit

/// The printable pages of fulfillment: a packing slip and a warehouse's pick list, rendered from the
/// Mustache templates in `Templates/` (self-contained HTML: inline print CSS, no external assets; every
/// value is HTML-escaped by `{{…}}`, and the templates use no unescaped tags).
struct FulfillmentPages: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        try library.register(PrintStyle.css, named: "style")
        try library.register(Self.text(PackageResources.packing_slip_mustache), named: "packing-slip")
        try library.register(Self.text(PackageResources.pick_list_mustache), named: "pick-list")
        self.library = library
    }

    func packingSlip(_ slip: PackingSlip) -> String {
        let address = slip.shipTo
        let context: [String: Any] = [
            "number": slip.number, "orderNumber": slip.orderNumber, "warehouse": slip.warehouse,
            "status": slip.status.rawValue, "created": Self.day(slip.createdAt),
            // Absent parts are left out, so their `{{#…}}` sections print nothing.
            "shipTo":
                ([
                    "firstName": address.firstName, "lastName": address.lastName, "company": address.company,
                    "line1": address.line1, "line2": address.line2, "line3": address.line3,
                    "postalCode": address.postalCode, "city": address.city, "region": address.region,
                    "country": address.country, "phone": address.phone,
                ] as [String: String?]).compactMapValues { $0 },
            "lines": slip.lines.map { line in
                [
                    "isKit": line.kind == .kit, "isComponent": line.kind == .component, "sku": line.sku,
                    "name": line.name, "quantity": line.quantity, "bin": line.bin ?? "",
                ] as [String: Any]
            },
            "pickCount": slip.lines.filter { $0.kind != .kit }.reduce(0) { $0 + $1.quantity },
        ]
        return library.render(context, withTemplate: "packing-slip") ?? ""
    }

    func pickList(warehouse: String, lines: [PickLine], slips: Int, printed: Date) -> String {
        let context: [String: Any] = [
            "warehouse": warehouse, "slips": slips, "printed": Self.minute(printed),
            "lines": lines.map { line in
                [
                    "bin": line.bin ?? "", "sku": line.sku, "name": line.name, "quantity": line.quantity,
                    "slips": line.slips,
                ] as [String: Any]
            },
        ]
        return library.render(context, withTemplate: "pick-list") ?? ""
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    private static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }

    private static func minute(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false))
    }
}
