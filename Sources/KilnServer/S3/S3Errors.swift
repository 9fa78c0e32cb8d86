import AWSWire

/// S3's error codes, statuses and messages, as S3 words them.
enum S3Errors {
    static func noSuchBucket(_ b: String) -> AWSError { AWSError("NoSuchBucket", status: 404, "The specified bucket does not exist", details: [("BucketName", b)]) }
    static func noSuchKey(_ k: String) -> AWSError { AWSError("NoSuchKey", status: 404, "The specified key does not exist.", details: [("Key", k)]) }
    static func noSuchUpload(_ id: String) -> AWSError {
        AWSError("NoSuchUpload", status: 404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", details: [("UploadId", id)])
    }
    static func bucketNotEmpty(_ b: String) -> AWSError { AWSError("BucketNotEmpty", status: 409, "The bucket you tried to delete is not empty", details: [("BucketName", b)]) }
    static func alreadyOwned(_ b: String) -> AWSError {
        AWSError("BucketAlreadyOwnedByYou", status: 409, "Your previous request to create the named bucket succeeded and you already own it.", details: [("BucketName", b)])
    }
    static func alreadyExists(_ b: String) -> AWSError {
        AWSError("BucketAlreadyExists", status: 409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", details: [("BucketName", b)])
    }
    static func invalidBucketName(_ b: String) -> AWSError { AWSError("InvalidBucketName", status: 400, "The specified bucket is not valid.", details: [("BucketName", b)]) }
    static let accessDenied = AWSError("AccessDenied", status: 403, "Access Denied")
    static func invalidArgument(_ m: String, name: String? = nil, value: String? = nil) -> AWSError {
        var d: [(String, String)] = []
        if let name { d.append(("ArgumentName", name)) }
        if let value { d.append(("ArgumentValue", value)) }
        return AWSError("InvalidArgument", status: 400, m, details: d)
    }
    static func invalidRequest(_ m: String) -> AWSError { AWSError("InvalidRequest", status: 400, m) }
    static let malformedXML = AWSError("MalformedXML", status: 400, "The XML you provided was not well-formed or did not validate against our published schema")
    static func badDigest(_ m: String = "The Content-MD5 you specified did not match what we received.") -> AWSError { AWSError("BadDigest", status: 400, m) }
    static let invalidDigest = AWSError("InvalidDigest", status: 400, "The Content-MD5 you specified was invalid.")
    static let preconditionFailed = AWSError("PreconditionFailed", status: 412, "At least one of the pre-conditions you specified did not hold", details: [("Condition", "If-Match")])
    static func invalidRange(size: Int64) -> AWSError {
        AWSError("InvalidRange", status: 416, "The requested range is not satisfiable", details: [("ActualObjectSize", String(size))])
    }
    static let invalidPart = AWSError("InvalidPart", status: 400, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
    static let invalidPartOrder = AWSError("InvalidPartOrder", status: 400, "The list of parts was not in ascending order. Parts must be ordered by part number.")
    static let entityTooSmall = AWSError("EntityTooSmall", status: 400, "Your proposed upload is smaller than the minimum allowed object size.")
    static let entityTooLarge = AWSError("EntityTooLarge", status: 400, "Your proposed upload exceeds the maximum allowed object size.")
    static let keyTooLong = AWSError("KeyTooLongError", status: 400, "Your key is too long")
    static let incompleteBody = AWSError("IncompleteBody", status: 400, "You did not provide the number of bytes specified by the Content-Length HTTP header")
    static let missingContentLength = AWSError("MissingContentLength", status: 411, "You must provide the Content-Length HTTP header.")
    static func notImplemented(_ what: String) -> AWSError {
        AWSError("NotImplemented", status: 501, "A header or query you provided implies functionality that is not implemented: \(what)")
    }
    static let methodNotAllowed = AWSError("MethodNotAllowed", status: 405, "The specified method is not allowed against this resource.")
    static func contentSHA256Mismatch(claimed: String, computed: String) -> AWSError {
        AWSError("XAmzContentSHA256Mismatch", status: 400, "The provided 'x-amz-content-sha256' header does not match what was computed.",
                 details: [("ClientComputedContentSHA256", claimed), ("S3ComputedContentSHA256", computed)])
    }
    static func invalidChecksum(_ alg: String) -> AWSError {
        AWSError("BadDigest", status: 400, "The \(alg) you specified did not match the calculated checksum.")
    }
    static let signatureDoesNotMatchChunk = AWSError("SignatureDoesNotMatch", status: 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
}
