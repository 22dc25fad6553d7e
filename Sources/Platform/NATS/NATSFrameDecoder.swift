import Foundation
import NIOCore

/// Splits the server's byte stream into ``NATSFrame``s (the NATS client protocol, with headers).
struct NATSFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = NATSFrame

    /// Longest control line accepted before the connection is considered broken.
    static let maxLine = 64 * 1024

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.parse(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    /// Parses one frame from the front of `buffer`, consuming it; `nil` (consuming nothing) when incomplete.
    static func parse(_ buffer: inout ByteBuffer) throws -> NATSFrame? {
        let view = buffer.readableBytesView
        guard let lineEnd = lineEnd(in: view) else {
            if view.count > maxLine { throw NATSError.protocolViolation("control line too long") }
            return nil
        }
        let lineLength = lineEnd - view.startIndex
        guard let line = buffer.getString(at: buffer.readerIndex, length: lineLength) else { return nil }
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let op = parts.first?.uppercased() else {
            buffer.moveReaderIndex(forwardBy: lineLength + 2)
            return try parse(&buffer)
        }
        switch op {
        case "MSG", "HMSG":
            let withHeaders = op == "HMSG"
            let arguments = parts.dropFirst().map(String.init)
            guard arguments.count == (withHeaders ? 4 : 3) || arguments.count == (withHeaders ? 5 : 4),
                let total = Int(arguments[arguments.count - 1]), let sid = Int(arguments[1])
            else { throw NATSError.protocolViolation("bad \(op) line: \(line)") }
            let headerLength = withHeaders ? (Int(arguments[arguments.count - 2]) ?? -1) : 0
            guard headerLength >= 0, headerLength <= total else { throw NATSError.protocolViolation("bad header size") }
            let replyTo = arguments.count == (withHeaders ? 5 : 4) ? arguments[2] : nil
            guard view.count >= lineLength + 2 + total + 2 else { return nil }
            buffer.moveReaderIndex(forwardBy: lineLength + 2)
            let headerBytes = buffer.readBytes(length: headerLength) ?? []
            let payload = buffer.readBytes(length: total - headerLength) ?? []
            buffer.moveReaderIndex(forwardBy: 2)
            var message = NATSMessage(subject: arguments[0], replyTo: replyTo, payload: payload)
            if withHeaders { parseHeaders(headerBytes, into: &message) }
            return .message(sid: sid, message)
        default:
            buffer.moveReaderIndex(forwardBy: lineLength + 2)
            switch op {
            case "PING": return .ping
            case "PONG": return .pong
            case "+OK": return .ok
            case "-ERR": return .error(String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces))
            case "INFO": return .info(String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces))
            default: throw NATSError.protocolViolation("unknown operation \(op)")
            }
        }
    }

    private static func lineEnd(in view: ByteBufferView) -> ByteBufferView.Index? {
        var index = view.startIndex
        while index < view.endIndex {
            if view[index] == 0x0D, view.index(after: index) < view.endIndex, view[view.index(after: index)] == 0x0A {
                return index
            }
            index = view.index(after: index)
        }
        return nil
    }

    /// `NATS/1.0[ status[ description]]\r\nName: value\r\n…\r\n`
    private static func parseHeaders(_ bytes: [UInt8], into message: inout NATSMessage) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.components(separatedBy: "\r\n")
        guard !lines.isEmpty else { return }
        let statusLine = lines.removeFirst().split(separator: " ", maxSplits: 2)
        if statusLine.count >= 2, let status = Int(statusLine[1]) {
            message.status = status
            message.statusDescription = statusLine.count == 3 ? String(statusLine[2]) : nil
        }
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if message.headers[name] == nil { message.headers[name] = value }
        }
    }
}
