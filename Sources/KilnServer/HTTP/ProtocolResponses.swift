import AWSWire
import Foundation
import HTTPTypes
import Hummingbird

/// Renders answers and errors in each AWS protocol's shape.
enum ProtocolResponses {
    static func json(_ object: Any, requestId: String, contentType: String = "application/x-amz-json-1.1") -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        return jsonData(data, requestId: requestId, contentType: contentType)
    }

    static func jsonData(_ data: Data, requestId: String, contentType: String = "application/x-amz-json-1.1") -> Response {
        var h = HTTPFields()
        h[.contentType] = contentType
        h.set("x-amzn-RequestId", requestId)
        return Response.make(status: 200, headers: h, body: ByteBuffer(bytes: data))
    }

    /// JSON 1.1 / REST-JSON error: `{"__type": code, "message": …}` plus `x-amzn-ErrorType`.
    static func jsonError(_ e: AWSError, requestId: String, contentType: String = "application/x-amz-json-1.1") -> Response {
        var h = HTTPFields()
        h[.contentType] = contentType
        h.set("x-amzn-RequestId", requestId)
        h.set("x-amzn-ErrorType", e.code)
        let body: [String: Any] = ["__type": e.code, "message": e.message]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return Response.make(status: e.status, headers: h, body: ByteBuffer(bytes: data))
    }

    /// S3 error: `<Error><Code/><Message/>…</Error>`; HEAD responses carry no body.
    static func s3Error(_ e: AWSError, requestId: String, resource: String, head: Bool) -> Response {
        var h = HTTPFields()
        h.set("x-amz-request-id", requestId)
        if head { return Response(status: .init(code: e.status), headers: h, body: .init()) }
        var x = XMLWriter()
        x.element("Error") { x in
            x.element("Code", e.code)
            x.element("Message", e.message)
            for (k, v) in e.details { x.element(k, v) }
            x.element("Resource", resource)
            x.element("RequestId", requestId)
        }
        h[.contentType] = "application/xml"
        return Response.make(status: e.status, headers: h, text: x.text)
    }

    /// Query-protocol error (STS, IAM): `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
    static func queryError(_ e: AWSError, requestId: String, namespace: String) -> Response {
        var x = XMLWriter()
        x.element("ErrorResponse", namespace: namespace) { x in
            x.element("Error") { x in
                x.element("Type", e.isSenderFault ? "Sender" : "Receiver")
                x.element("Code", e.code)
                x.element("Message", e.message)
            }
            x.element("RequestId", requestId)
        }
        var h = HTTPFields()
        h[.contentType] = "text/xml"
        h.set("x-amzn-RequestId", requestId)
        return Response.make(status: e.status, headers: h, text: x.text)
    }

    static func queryResult(_ x: XMLWriter, requestId: String) -> Response {
        var h = HTTPFields()
        h[.contentType] = "text/xml"
        h.set("x-amzn-RequestId", requestId)
        return Response.make(status: 200, headers: h, text: x.text)
    }
}
