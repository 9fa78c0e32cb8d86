import Crypto
import Foundation
import KilnChecksums

/// Errors in an `aws-chunked` body.
public enum ChunkedDecodingError: Error, Equatable, Sendable {
    case malformed(String)
    case chunkSignatureMismatch
    case incomplete
}

/// Decodes an `aws-chunked` request body as it streams, verifying chunk signatures when the payload is signed.
///
/// Framing: `hex-size[;chunk-signature=SIG]\r\n<data>\r\n` repeated, a zero-size chunk, then optional trailer
/// lines (`name:value\r\n`) and an empty line. State is kept between `feed` calls, so chunks may be split anywhere.
public struct AWSChunkedDecoder: Sendable {
    /// What signs the chunks: the request's seed signature, its key and scope.
    public struct ChunkSigning: Sendable {
        public var seedSignature: String
        public var signingKey: SymmetricKey
        public var amzDate: String
        public var scope: String
        public init(seedSignature: String, signingKey: SymmetricKey, amzDate: String, scope: String) {
            (self.seedSignature, self.signingKey, self.amzDate, self.scope) = (seedSignature, signingKey, amzDate, scope)
        }
    }

    enum State: Sendable {
        case header
        case data(remaining: Int)
        case dataEnd
        case trailers
        case done
    }

    private var state: State = .header
    private var line: [UInt8] = []
    private let signing: ChunkSigning?
    private let expectsTrailerSignature: Bool
    private var previousSignature: String
    private var pendingChunkSignature: String?
    private var chunkHash = SHA256()
    private var trailerLines: [String] = []
    public private(set) var trailers: [(name: String, value: String)] = []
    public private(set) var decodedLength: Int = 0

    /// Longest chunk header or trailer line accepted; guards against a body that never sends `\r\n`.
    static let maxLineLength = 4096

    public init(signing: ChunkSigning?, trailerSigned: Bool = false) {
        self.signing = signing
        self.expectsTrailerSignature = trailerSigned
        self.previousSignature = signing?.seedSignature ?? ""
    }

    public var isComplete: Bool { if case .done = state { true } else { false } }

    /// Feeds raw body bytes; `emit` receives decoded payload slices in order.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var i = 0
        let n = bytes.count
        while i < n {
            switch state {
            case .header, .trailers, .dataEnd:
                let b = bytes[i]
                i += 1
                line.append(b)
                guard line.count <= Self.maxLineLength else { throw ChunkedDecodingError.malformed("aws-chunked line too long") }
                if line.count >= 2, line[line.count - 2] == 13, b == 10 {
                    let text = String(decoding: line.dropLast(2), as: UTF8.self)
                    line.removeAll(keepingCapacity: true)
                    try endOfLine(text)
                }
            case .data(let remaining):
                let take = min(remaining, n - i)
                let slice = UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)])
                if signing != nil { chunkHash.update(bufferPointer: slice) }
                try emit(slice)
                decodedLength += take
                i += take
                if take == remaining {
                    state = .dataEnd
                    try finishChunkSignature(emptyChunk: false)
                } else {
                    state = .data(remaining: remaining - take)
                }
            case .done:
                // Bytes after the final CRLF: tolerate trailing whitespace only.
                guard bytes[i] == 13 || bytes[i] == 10 else { throw ChunkedDecodingError.malformed("data after the final aws-chunked chunk") }
                i += 1
            }
        }
    }

    /// Call after the last body byte; throws if the framing was cut short.
    public func finish() throws {
        guard isComplete else { throw ChunkedDecodingError.incomplete }
    }

    private mutating func endOfLine(_ text: String) throws {
        switch state {
        case .dataEnd:
            guard text.isEmpty else { throw ChunkedDecodingError.malformed("expected CRLF after chunk data") }
            state = .header
        case .header:
            let parts = text.split(separator: ";", maxSplits: 1)
            guard let sizeText = parts.first, let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw ChunkedDecodingError.malformed("invalid aws-chunked chunk size line '\(text.prefix(64))'")
            }
            if parts.count == 2 {
                let ext = parts[1]
                guard ext.hasPrefix("chunk-signature=") else { throw ChunkedDecodingError.malformed("unknown chunk extension") }
                pendingChunkSignature = String(ext.dropFirst("chunk-signature=".count))
            } else {
                pendingChunkSignature = nil
            }
            if signing != nil && pendingChunkSignature == nil { throw ChunkedDecodingError.malformed("missing chunk-signature") }
            chunkHash = SHA256()
            if size == 0 {
                try finishChunkSignature(emptyChunk: true)
                state = .trailers
            } else {
                state = .data(remaining: size)
            }
        case .trailers:
            if text.isEmpty {
                try finishTrailers()
                state = .done
            } else {
                trailerLines.append(text)
                guard trailerLines.count <= 16 else { throw ChunkedDecodingError.malformed("too many aws-chunked trailer lines") }
            }
        case .data, .done:
            break
        }
    }

    private mutating func finishChunkSignature(emptyChunk: Bool) throws {
        guard let signing, let claimed = pendingChunkSignature else { return }
        let dataHash = Array(chunkHash.finalize()).hexString
        let stringToSign = ["AWS4-HMAC-SHA256-PAYLOAD", signing.amzDate, signing.scope, previousSignature,
                            SigV4Crypto.emptySHA256, dataHash].joined(separator: "\n")
        let expected = SigV4Crypto.hmacHex(stringToSign, key: signing.signingKey)
        guard SigV4Crypto.constantTimeEquals(expected, claimed) else { throw ChunkedDecodingError.chunkSignatureMismatch }
        previousSignature = expected
        pendingChunkSignature = nil
    }

    private mutating func finishTrailers() throws {
        var signatureLine: String?
        var signedText = ""
        for text in trailerLines {
            guard let colon = text.firstIndex(of: ":") else { throw ChunkedDecodingError.malformed("malformed trailer '\(text.prefix(64))'") }
            let name = text[..<colon].lowercased()
            let value = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if name == "x-amz-trailer-signature" {
                signatureLine = value
            } else {
                trailers.append((name, value))
                signedText += "\(name):\(value)\n"
            }
        }
        if expectsTrailerSignature, let signing {
            guard let claimed = signatureLine else { throw ChunkedDecodingError.malformed("missing x-amz-trailer-signature") }
            let stringToSign = ["AWS4-HMAC-SHA256-TRAILER", signing.amzDate, signing.scope, previousSignature,
                                SigV4Crypto.sha256Hex(Array(signedText.utf8))].joined(separator: "\n")
            guard SigV4Crypto.constantTimeEquals(SigV4Crypto.hmacHex(stringToSign, key: signing.signingKey), claimed) else {
                throw ChunkedDecodingError.chunkSignatureMismatch
            }
        }
    }
}
