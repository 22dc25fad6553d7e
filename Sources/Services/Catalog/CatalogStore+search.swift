import SQLKit
import Storage

/// Part search by words: each engine's trigram index (SQLite FTS5 `parts_search`, PostgreSQL `pg_trgm`)
/// or a scan in SKU order, whichever suits the words. A rare word ("zebra") is looked up in the index,
/// which finds its few parts at once where a scan would read the whole table. A common one ("brake", a
/// sixth of a catalog) fills a page after a few hundred parts in SKU order, where the index would hand over
/// every match to be sorted. Which one it is, each word's matches counted up to ``searchIndexLimit`` say
/// cheaply. Two common words that are rare together ("brake filter") are intersected in the index.
/// The index only narrows the candidates: every word is still checked with `LIKE` on `search_text`.
extension CatalogStore {
    /// Runs a listing's statements: a PostgreSQL word search in a transaction of its own (it sets planner
    /// options for itself with `SET LOCAL`), anything else on a connection for reading.
    func listing<T: Sendable>(planningSearch: Bool, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        if planningSearch, database.engine == .postgres {
            return try await database.transaction(signalling: false, body)
        }
        return try await database.read(body)
    }

    /// The page of a word search; `fetch` runs the listing's query with more conditions.
    func wordSearch(
        _ words: [String], after: String?, limit: Int, in db: any SQLDatabase,
        _ fetch: ([SQLQueryString]) async throws -> [any SQLRow]
    ) async throws -> [any SQLRow] {
        switch database.engine {
        case .sqlite: try await sqliteWordSearch(SearchWords.trigramQueries(words), in: db, fetch)
        case .postgres: try await postgresWordSearch(words, after: after, limit: limit, in: db, fetch)
        }
    }

    /// SQLite: FTS5 counts and intersects lazily, so counting up to the limit is cheap whatever the word.
    private func sqliteWordSearch(
        _ queries: [String], in db: any SQLDatabase, _ fetch: ([SQLQueryString]) async throws -> [any SQLRow]
    ) async throws -> [any SQLRow] {
        func lookup(_ match: String) -> SQLQueryString {
            "SELECT rowid FROM parts_search WHERE parts_search MATCH \(bind: match)"
        }
        let matches = try await cappedCounts(queries.map { lookup($0) }, in: db)
        if let rarest = matches.indices.min(by: { matches[$0] < matches[$1] }), matches[rarest] < searchIndexLimit {
            guard matches[rarest] > 0 else { return [] }
            return try await fetch(["parts.rowid IN (\(lookup(queries[rarest])))"])
        }
        guard queries.count > 1 else { return try await fetch([]) }
        let together = try await db.raw("\(lookup(queries.joined(separator: " AND "))) LIMIT \(bind: searchIndexLimit)")
            .all().map { try $0.decode(column: "rowid", as: Int64.self) }
        var keys = JSONRows(columns: [("k", "BIGINT")])
        for rowid in together { keys.append([.integer(rowid)]) }
        return try await fetchCandidates(keys, column: "parts.rowid", fetch)
    }

    /// PostgreSQL: a GIN bitmap is built whole before it is read, so counting a common word through the
    /// index costs as much as the search; the planner's estimate of each word (from the column's
    /// histogram: a word on fewer than one part in a hundred is estimated at 100) decides instead. With a
    /// rare word, the index path is forced with `SET LOCAL`: the planner assumes words independent, so it
    /// expects "brake filter" on 4 % of parts and would scan the whole table in SKU order for none. Words
    /// that are each common are intersected in the index first, up to ``searchIndexLimit`` parts. A word
    /// under three letters gives the index nothing to look up: such a search is left to the planner.
    private func postgresWordSearch(
        _ words: [String], after: String?, limit: Int, in db: any SQLDatabase,
        _ fetch: ([SQLQueryString]) async throws -> [any SQLRow]
    ) async throws -> [any SQLRow] {
        guard words.allSatisfy({ $0.unicodeScalars.count >= 3 }) else { return try await fetch([]) }
        let likes = words.map { Self.contains($0, column: "search_text") }
        var estimates: [Int] = []
        for like in likes {
            let plan = try await db.raw("EXPLAIN (FORMAT JSON) SELECT 1 FROM parts WHERE \(like)").first()?
                .decode(column: "QUERY PLAN", as: String.self)
            estimates.append(plan.flatMap(Self.planRows) ?? 0)
        }
        /// Whether the planner must use bitmap scans (of the trigram index), for the rest of the transaction.
        func forceIndex(_ forced: Bool) async throws {
            for setting in ["enable_seqscan", "enable_indexscan"] {
                try await db.raw("SET LOCAL \(unsafeRaw: setting) = \(unsafeRaw: forced ? "off" : "on")").run()
            }
        }
        if estimates.min() ?? 0 < searchIndexLimit {
            try await forceIndex(true)
            return try await fetch([])
        }
        guard words.count > 1 else { return try await fetch([]) }
        try await forceIndex(true)
        let together = try await db.raw(
            "SELECT sku FROM parts WHERE \(likes.joined(separator: " AND ")) LIMIT \(bind: searchIndexLimit)"
        ).all().map { try $0.decode(column: "sku", as: String.self) }
        var keys = JSONRows(columns: [("k", "TEXT")])
        for sku in together { keys.append([.text(sku)]) }
        try await forceIndex(false)
        return try await fetchCandidates(keys, column: "parts.sku", fetch)
    }

    /// `column LIKE '%word%'`, the word's `%`, `_` and `\\` taken literally.
    static func contains(_ word: String, column: String) -> SQLQueryString {
        "\(unsafeRaw: column) LIKE \(bind: "%" + escapeLike(word) + "%") ESCAPE '\\'"
    }

    /// The rows the top node of an `EXPLAIN (FORMAT JSON)` plan expects.
    static func planRows(_ plan: String) -> Int? {
        guard let key = plan.range(of: "\"Plan Rows\":") else { return nil }
        return Int(plan[key.upperBound...].drop(while: { $0 == " " }).prefix(while: \.isNumber))
    }

    /// How many rows each lookup finds, counted up to ``searchIndexLimit``, in one statement.
    private func cappedCounts(_ lookups: [SQLQueryString], in db: any SQLDatabase) async throws -> [Int] {
        let counts: [SQLQueryString] = lookups.indices.map {
            "(SELECT count(*) FROM (\(lookups[$0]) LIMIT \(bind: searchIndexLimit)) l) AS n\(unsafeRaw: String($0))"
        }
        guard let row = try await db.raw("SELECT \(counts.joined(separator: ", "))").first() else { return [] }
        return try lookups.indices.map { try row.decode(column: "n\($0)", as: Int.self) }
    }

    /// The page among the candidates the index found for all words together: none, the page of those
    /// (fewer than the limit), or the page of a scan in SKU order (as many as the limit: common together).
    private func fetchCandidates(
        _ keys: JSONRows, column: String, _ fetch: ([SQLQueryString]) async throws -> [any SQLRow]
    ) async throws -> [any SQLRow] {
        guard keys.count < searchIndexLimit else { return try await fetch([]) }
        guard keys.count > 0 else { return [] }
        return try await fetch(["\(unsafeRaw: column) IN (SELECT x.k FROM \(keys.source(database.engine, alias: "x")))"]
        )
    }
}
