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

/// A fresh request id in AWS's style.
func makeRequestId() -> String { UUID().uuidString }
