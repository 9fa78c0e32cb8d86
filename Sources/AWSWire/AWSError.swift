/// An error in the shape AWS services return: a code, an HTTP status and a message.
/// Each protocol renders it its own way (JSON `__type`, S3 `<Error>`, query `<ErrorResponse>`).
public struct AWSError: Error, Sendable, Equatable {
    public var code: String
    public var status: Int
    public var message: String
    /// Extra elements for S3's XML body (e.g. `Key`, `BucketName`, `StringToSign`).
    public var details: [(String, String)]

    public init(_ code: String, status: Int, _ message: String, details: [(String, String)] = []) {
        (self.code, self.status, self.message, self.details) = (code, status, message, details)
    }

    public static func == (a: AWSError, b: AWSError) -> Bool {
        a.code == b.code && a.status == b.status && a.message == b.message
    }

    /// Client errors are the sender's fault; JSON protocols label them so.
    public var isSenderFault: Bool { status < 500 }
}
