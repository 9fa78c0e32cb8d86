import Crypto
import Foundation

/// Streaming MD5 for S3 ETags and Content-MD5.
public struct MD5Hasher: Sendable {
    private var md5 = Insecure.MD5()
    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { md5.update(bufferPointer: bytes) }
    public func finalize() -> [UInt8] { Array(md5.finalize()) }
}

/// SHA-256 helpers used by SigV4.
public enum Digest {
    public static func sha256Hex<D: DataProtocol>(_ data: D) -> String { Array(SHA256.hash(data: data)).hexString }
    public static func sha256Hex(_ string: String) -> String { sha256Hex(Array(string.utf8)) }
    public static func md5<D: DataProtocol>(_ data: D) -> [UInt8] { Array(Insecure.MD5.hash(data: data)) }
}

/// Streaming SHA-256 (for verifying `x-amz-content-sha256` as the body streams by).
public struct SHA256Hasher: Sendable {
    private var sha = SHA256()
    public init() {}
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { sha.update(bufferPointer: bytes) }
    public func finalizeHex() -> String { Array(sha.finalize()).hexString }
}
