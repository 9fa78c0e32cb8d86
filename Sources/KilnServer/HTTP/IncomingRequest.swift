import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SigV4

/// The parts of a request every handler needs, parsed once.
struct IncomingRequest: Sendable {
    var method: String
    var rawPath: String
    var rawQuery: String
    var host: String
    var signable: SignableRequest
    var query: [(name: String, value: String)]
    let requestId = makeRequestId()

    init(_ request: Request) {
        method = request.method.rawValue
        let target = request.head.path ?? "/"
        if let q = target.firstIndex(of: "?") {
            rawPath = String(target[..<q])
            rawQuery = String(target[target.index(after: q)...])
        } else {
            rawPath = target
            rawQuery = ""
        }
        host = request.head.authority ?? ""
        var headers: [(name: String, value: String)] = [("host", host)]
        for field in request.headers where field.name.canonicalName != "host" {
            headers.append((field.name.canonicalName, field.value))
        }
        signable = SignableRequest(method: method, rawPath: rawPath, rawQuery: rawQuery, headers: headers)
        query = signable.queryItems
    }

    /// A request built without a socket, for unit tests.
    static func forTesting(method: String, target: String, host: String, headers: [(String, String)] = []) -> IncomingRequest {
        var head = HTTPRequest(method: HTTPRequest.Method(method)!, scheme: "http", authority: host, path: target)
        for (n, v) in headers { head.headerFields[HTTPField.Name(n)!] = v }
        return IncomingRequest(Request(head: head, body: .init(buffer: ByteBuffer())))
    }

    func header(_ name: String) -> String? { signable.header(name) }

    func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    func hasQuery(_ name: String) -> Bool { query.contains { $0.name == name } }
}
