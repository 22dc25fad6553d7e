import SQLKit
import Storage

/// The billing invariants, checked after a fault (`sprocket reconcile`, `scripts/faults`): every invoice's
/// lines add up to its totals, its payments to what it has paid, a credited invoice has exactly its
/// reversing credit note, and the numbers of each series run 1…n per year without gaps.
/// Public so the module's tests reach it through `BillingService.reconcile` as well.
public enum BillingChecks {
    public static func violations(in database: Database) async throws -> [String] {
        try await database.read { db in
            var violations: [String] = []
            let totals = try await db.count(
                """
                SELECT COUNT(*) AS n FROM invoices i WHERE i.net + i.tax <> i.gross
                OR i.net <> (SELECT COALESCE(SUM(l.net), 0) FROM invoice_lines l WHERE l.invoice_id = i.id)
                OR i.tax <> (SELECT COALESCE(SUM(l.tax), 0) FROM invoice_lines l WHERE l.invoice_id = i.id)
                OR i.paid <> (SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.invoice_id = i.id)
                """)
            if totals > 0 { violations.append("\(totals) invoices whose lines or payments disagree with their totals") }
            let credits = try await db.count(
                """
                SELECT COUNT(*) AS n FROM invoices i LEFT JOIN credit_notes c ON c.invoice_id = i.id
                WHERE (i.status = 'credited') <> (c.id IS NOT NULL)
                OR (c.id IS NOT NULL AND (c.gross <> -i.gross OR c.net <> -i.net OR c.tax <> -i.tax))
                """)
            if credits > 0 {
                violations.append("\(credits) invoices whose credit note is missing or does not reverse them")
            }
            for (table, series) in [("invoices", "INV"), ("credit_notes", "CN")] {
                let rows = try await db.raw("SELECT number FROM \(ident: table)").all()
                let numbers = try rows.map { try $0.decode(column: "number", as: String.self) }
                let gaps = DocumentNumberGaps.count(numbers)
                if gaps > 0 { violations.append("\(series) numbers have \(gaps) gaps or repeats") }
            }
            return violations
        }
    }
}

/// Counts gaps and repeats in `PREFIX-YYYY-NNNNNN` numbers: per year they must be exactly 1…n.
enum DocumentNumberGaps {
    static func count(_ numbers: [String]) -> Int {
        var byYear: [Substring: [Int]] = [:]
        for number in numbers {
            let parts = number.split(separator: "-")
            guard parts.count == 3, let sequence = Int(parts[2]) else { return numbers.count }
            byYear[parts[1], default: []].append(sequence)
        }
        return byYear.values.reduce(0) { total, sequences in
            let sorted = sequences.sorted()
            return total + zip(sorted, 1...).filter { $0 != $1 }.count
        }
    }
}
