import Foundation
import HTTPTypes
import Hummingbird

extension HTTPFields {
    /// Sets a header by its string name (names are validated by HTTPTypes; invalid ones are dropped).
    mutating func set(_ name: String, _ value: String) {
        if let n = HTTPField.Name(name) { self[n] = value }
    }

    func value(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { self[$0] }
    }
}

extension Response {
    static func make(status: Int, headers: HTTPFields = [:], body: ByteBuffer? = nil) -> Response {
        var headers = headers
        if let body {
            headers[.contentLength] = String(body.readableBytes)
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: body))
        }
        headers[.contentLength] = "0"
        return Response(status: .init(code: status), headers: headers, body: .init())
    }

    static func make(status: Int, headers: HTTPFields = [:], text: String) -> Response {
        make(status: status, headers: headers, body: ByteBuffer(string: text))
    }
}

/// A fresh request id in AWS's style (a random UUID). Foundation's `UUID()` opens /dev/urandom on every call on
/// Linux, which showed in request profiles; the system generator uses getrandom(2).
func makeRequestId() -> String {
    var generator = SystemRandomNumberGenerator()
    let high = generator.next() as UInt64, low = generator.next() as UInt64
    let digits = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(36)
    for i in 0 ..< 32 {
        if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
        var nibble = Int(((i < 16 ? high : low) >> UInt64(60 - 4 * (i % 16))) & 0xF)
        if i == 12 { nibble = 4 }  // version 4
        if i == 16 { nibble = 8 | (nibble & 3) }  // RFC 4122 variant
        out.append(digits[nibble])
    }
    return String(decoding: out, as: UTF8.self)
}
