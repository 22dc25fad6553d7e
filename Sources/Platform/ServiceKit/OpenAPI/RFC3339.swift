import Foundation
import OpenAPIRuntime

/// RFC 3339 date-times, exactly as the `date-time` format of JSON Schema allows them.
///
/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with any number of fraction digits, `t`/`z` in
/// either case and a leap second (`:60`), on the proleptic Gregorian calendar, checking that the
/// day exists. Foundation's ISO 8601 parsers refuse some of these, so the request validator and the
/// generated servers (through ``RFC3339DateTranscoder``) use this one and agree.
public enum RFC3339 {
    public static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard (20...64).contains(bytes.count) else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, (48...57).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == 45, let month = number(5..<7), bytes[7] == 45,
            let day = number(8..<10), [84, 116].contains(bytes[10]), let hour = number(11..<13), bytes[13] == 58,
            let minute = number(14..<16), bytes[16] == 58, let second = number(17..<19)
        else { return nil }
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24,
            minute < 60, second <= 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == 46 {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, (48...57).contains(bytes[index]) {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if [90, 122].contains(bytes[index]) {
            index += 1
        } else if [43, 45].contains(bytes[index]), let offsetHour = number(index + 1..<index + 3),
            index + 3 < bytes.count, bytes[index + 3] == 58, let offsetMinute = number(index + 4..<index + 6),
            offsetHour < 24, offsetMinute < 60
        {
            offset = (offsetHour * 60 + offsetMinute) * 60 * (bytes[index] == 45 ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// `date` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds), as Foundation's ISO 8601 formatter
    /// writes it but without its cost (a formatter call was 5 % of a page of parts); `nil` outside the
    /// years 1583–9999: before them Foundation writes Julian calendar dates, after them the form has no room.
    public static func string(from date: Date) -> String? {
        // As Foundation: to the nearest millisecond, then the whole second (…59.9996 is the next second).
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        guard milliseconds.isFinite, abs(milliseconds) < 400_000_000_000_000 else { return nil }
        let seconds = Int(milliseconds) >= 0 ? Int(milliseconds) / 1000 : (Int(milliseconds) - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        guard (1583...9999).contains(year) else { return nil }
        var bytes = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int, at index: Int, digits: Int) {
            var value = value
            for offset in stride(from: digits - 1, through: 0, by: -1) {
                bytes[index + offset] = UInt8(48 + value % 10)
                value /= 10
            }
        }
        put(year, at: 0, digits: 4)
        bytes[4] = 45
        put(month, at: 5, digits: 2)
        bytes[7] = 45
        put(day, at: 8, digits: 2)
        bytes[10] = 84
        put(secondOfDay / 3_600, at: 11, digits: 2)
        bytes[13] = 58
        put(secondOfDay / 60 % 60, at: 14, digits: 2)
        bytes[16] = 58
        put(secondOfDay % 60, at: 17, digits: 2)
        bytes[19] = 90
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// The generated servers' date transcoder: reads every RFC 3339 date-time (``RFC3339``), writes
/// `YYYY-MM-DDTHH:MM:SSZ` as before.
public struct RFC3339DateTranscoder: DateTranscoder {
    /// Made once: building a Foundation date formatter costs more than formatting with it.
    private let writer = ISO8601DateTranscoder.iso8601

    public init() {}

    public func encode(_ date: Date) throws -> String {
        if let text = RFC3339.string(from: date) { return text }
        return try writer.encode(date)
    }

    public func decode(_ text: String) throws -> Date {
        guard let date = RFC3339.date(from: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "not an RFC 3339 date-time: \(text)"))
        }
        return date
    }
}

extension Configuration {
    /// How every Sprocket service's generated server and client read and write values: RFC 3339 dates,
    /// and compact JSON (pretty printing was a fifth of the cost of a page of 50 parts) with its keys in
    /// order, so the same value is always the same bytes (an idempotent retry must send the same body).
    public static var sprocket: Self {
        Configuration(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys])
    }
}
