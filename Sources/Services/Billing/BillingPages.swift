import Foundation
import Mustache
import ServiceKit

/// The printable invoice, rendered from `Templates/invoice.mustache` (self-contained HTML: inline print
/// CSS, no external assets; every value is HTML-escaped by `{{…}}`).
struct BillingPages: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        try library.register(PrintStyle.css, named: "style")
        try library.register(String(decoding: PackageResources.invoice_mustache, as: UTF8.self), named: "invoice")
        self.library = library
    }

    func invoice(_ invoice: Invoice) -> String {
        func money(_ minor: Int64) -> String { Money(minorUnits: minor, currency: invoice.currency).decimal }
        let buyer = invoice.buyer
        var context: [String: Any] = [
            "number": invoice.number, "orderNumber": invoice.orderNumber, "issued": Self.day(invoice.issuedAt),
            "status": invoice.status.rawValue.replacingOccurrences(of: "_", with: " "), "currency": invoice.currency,
            "seller": ["name": invoice.seller.name, "address": invoice.seller.address, "vatId": invoice.seller.vatId],
            // Absent parts are left out, so their `{{#…}}` sections print nothing.
            "buyer":
                ([
                    "firstName": buyer.firstName, "lastName": buyer.lastName, "company": buyer.company,
                    "line1": buyer.line1,
                    "line2": buyer.line2, "line3": buyer.line3, "postalCode": buyer.postalCode, "city": buyer.city,
                    "region": buyer.region, "country": buyer.country, "email": buyer.email,
                ] as [String: String?]).compactMapValues { $0 },
            "lines": invoice.lines.map { line in
                [
                    "sku": line.sku, "name": line.name, "quantity": line.quantity, "unitPrice": money(line.unitPrice),
                    "net": money(line.net), "tax": money(line.tax),
                    "taxRate": BillingMapping.percent(line.taxRateBasisPoints),
                    "gross": money(line.gross),
                ] as [String: Any]
            },
            "net": money(invoice.net), "tax": money(invoice.tax), "gross": money(invoice.gross),
            "hasPayments": !invoice.payments.isEmpty, "paid": money(invoice.paid), "balance": money(invoice.balance),
        ]
        if let note = invoice.creditNote {
            context["creditNote"] = [
                "number": note.number, "issued": Self.day(note.issuedAt), "gross": money(note.gross),
                "currency": invoice.currency,
            ]
        }
        return library.render(context, withTemplate: "invoice") ?? ""
    }

    private static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }
}
