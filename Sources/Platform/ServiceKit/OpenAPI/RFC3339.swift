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
        try writer.encode(date)
    }

    public func decode(_ text: String) throws -> Date {
        guard let date = RFC3339.date(from: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an RFC 3339 date-time: \(text)"))
        }
        return date
    }
}

extension Configuration {
    /// How every Sprocket service's generated server reads and writes values (RFC 3339 dates).
    public static var sprocket: Self { Configuration(dateTranscoder: RFC3339DateTranscoder()) }
}
