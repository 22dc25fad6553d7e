import Foundation
import SQLKit
import Storage
import Synchronization

/// Yearly document numbers taken ahead in blocks, for a series that may have gaps (orders): the year's
/// counter row is moved `size` numbers at a time, in a short transaction of its own taken before the
/// document's, so placements no longer queue on that row's lock until they commit (the hot row of the
/// distributed placement). Numbers never repeat, across processes too; a process that stops loses what
/// is left of its block (a gap), and two processes hand out numbers from their own blocks, so numbers
/// are unique but not in order of time across replicas. The invoice series, which must be gapless, keeps
/// ``DocumentNumber/next(_:counters:at:in:)``.
public final class DocumentNumberBlocks: Sendable {
    private struct Stock {
        var year: Int
        var ranges: [ClosedRange<Int>]
    }

    private let stock = Mutex<[String: Stock]>([:])
    private let refills = Mutex<[String: Task<Void, any Error>]>([:])
    /// How many numbers one trip to the counter row takes.
    public let size: Int

    public init(size: Int = 100) {
        self.size = max(1, size)
    }

    /// The next number of the series counted in `table` on `database`, for a document made at `now`.
    /// Call it outside any transaction of `database` (a refill is a transaction of its own). Callers that
    /// find the stock empty at once share one refill.
    public func next(_ prefix: String, counters table: String, at now: Date, database: Database) async throws -> String
    {
        let year = DocumentNumber.year(of: now)
        while true {
            if let number = take(table, year: year) { return DocumentNumber.format(prefix, year: year, number: number) }
            try await refill(table, year: year, database: database).value
        }
    }

    /// The next number for a document made in the transaction `db` of `database` (an event consumer's,
    /// which cannot wait for a transaction of its own): from the stock when it holds one; otherwise from
    /// the counter row in `db` (as ``DocumentNumber/next(_:counters:at:in:)``), and a refill of the stock
    /// starts beside it (it waits for `db` to commit, then serves the documents after).
    public func next(
        _ prefix: String, counters table: String, at now: Date, in db: any SQLDatabase, database: Database
    ) async throws -> String {
        let year = DocumentNumber.year(of: now)
        if let number = take(table, year: year) { return DocumentNumber.format(prefix, year: year, number: number) }
        let number = try await DocumentNumber.next(prefix, counters: table, at: now, in: db)
        _ = refill(table, year: year, database: database)  // after `db` moved the row: it waits for the commit
        return number
    }

    /// The refill of `table`'s stock under way, or a new one: it moves the counter row by ``size`` and
    /// puts the block in stock.
    private func refill(_ table: String, year: Int, database: Database) -> Task<Void, any Error> {
        refills.withLock { refills in
            if let running = refills[table] { return running }
            let size = self.size
            let task = Task<Void, any Error> {
                defer { self.refills.withLock { $0[table] = nil } }
                let last = try await database.transaction(signalling: false) { db -> Int in
                    let row = try await db.raw(
                        """
                        INSERT INTO \(ident: table) (year, last) VALUES (\(bind: year), \(bind: size))
                        ON CONFLICT (year) DO UPDATE SET last = \(ident: table).last + \(bind: size) RETURNING last
                        """
                    ).first()
                    return try row?.decode(column: "last", as: Int.self) ?? size
                }
                self.put(last - size + 1...last, in: table, year: year)
            }
            refills[table] = task
            return task
        }
    }

    private func take(_ table: String, year: Int) -> Int? {
        stock.withLock { stock in
            guard var held = stock[table], held.year == year, let range = held.ranges.first else { return nil }
            held.ranges.removeFirst()
            if range.count > 1 { held.ranges.insert(range.lowerBound + 1...range.upperBound, at: 0) }
            stock[table] = held
            return range.lowerBound
        }
    }

    /// Keeps `range` of `year` (a block taken concurrently with another is kept beside it, not lost).
    private func put(_ range: ClosedRange<Int>, in table: String, year: Int) {
        stock.withLock { stock in
            if var held = stock[table], held.year == year {
                held.ranges.append(range)
                stock[table] = held
            } else if (stock[table]?.year ?? .min) < year {
                stock[table] = Stock(year: year, ranges: [range])
            }
        }
    }
}
