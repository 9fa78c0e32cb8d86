import Crypto
import Foundation
import Synchronization

/// The SigV4 credential scope: `AKID/DATE/REGION/SERVICE/aws4_request`.
public struct CredentialScope: Sendable, Equatable {
    public var accessKeyId: String
    public var date: String
    public var region: String
    public var service: String

    /// `DATE/REGION/SERVICE/aws4_request`, as it appears in the string to sign.
    public var scopeString: String { "\(date)/\(region)/\(service)/aws4_request" }

    public init(accessKeyId: String, date: String, region: String, service: String) {
        self.accessKeyId = accessKeyId
        self.date = date
        self.region = region
        self.service = service
    }

    /// Parses the `Credential=` value; its access key id may itself contain `/` only in the first field.
    public init(parsing credential: String) throws(AuthFailure) {
        let parts = credential.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard parts.count >= 5, parts[parts.count - 1] == "aws4_request" else {
            throw .malformed("Credential should be scoped to a valid region, like 'us-east-1'; got '\(credential)'")
        }
        let n = parts.count
        self.init(accessKeyId: parts[0..<(n - 4)].joined(separator: "/"), date: parts[n - 4], region: parts[n - 3], service: parts[n - 2])
        guard date.utf8.count == 8, date.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            throw .malformed("Credential should be scoped to a valid date; got '\(date)'")
        }
    }
}

/// HMAC-SHA256 helpers for the SigV4 key chain.
public enum SigV4Crypto {
    /// Signing keys change once a day per secret, region and service; deriving one costs four HMACs, so the
    /// recent ones are kept (bounded: the cache is emptied when it grows past `signingKeyCacheLimit`).
    private static let signingKeys = Mutex<[String: SymmetricKey]>([:])
    static let signingKeyCacheLimit = 1024

    public static func signingKey(secret: String, scope: CredentialScope) -> SymmetricKey {
        let cacheKey = "\(secret)\u{0}\(scope.date)\u{0}\(scope.region)\u{0}\(scope.service)"
        if let hit = signingKeys.withLock({ $0[cacheKey] }) { return hit }
        var key = SymmetricKey(data: Array("AWS4\(secret)".utf8))
        for part in [scope.date, scope.region, scope.service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        signingKeys.withLock {
            if $0.count >= signingKeyCacheLimit { $0.removeAll() }
            $0[cacheKey] = key
        }
        return key
    }

    public static func hmacHex(_ message: String, key: SymmetricKey) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: key))
    }

    public static func sha256Hex<D: DataProtocol>(_ data: D) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Lower-case hex of a digest (a table lookup per nibble; `String(format:)` per byte was a hot spot).
    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Compares two strings in time that depends only on their lengths.
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }

    public static let emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}

/// `yyyyMMdd'T'HHmmss'Z'` timestamps.
public enum AmzDate {
    public static func parse(_ s: String) -> Date? {
        let u = Array(s.utf8)
        guard u.count == 16, u[8] == UInt8(ascii: "T"), u[15] == UInt8(ascii: "Z") else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard u[i] >= 48, u[i] <= 57 else { return nil }
                v = v * 10 + Int(u[i] - 48)
            }
            return v
        }
        guard let y = num(0..<4), let mo = num(4..<6), let d = num(6..<8), let h = num(9..<11), let mi = num(11..<13), let se = num(13..<15),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, se < 61 else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute, c.second) = (y, mo, d, h, mi, se)
        return utcCalendar.date(from: c)
    }

    public static func format(_ date: Date) -> String {
        let c = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static let utcCalendar: Calendar = {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        return cal
    }()
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (the HTTP "optional whitespace"); no Foundation bridging,
    /// which made `trimmingCharacters(in:)` a per-request hot spot.
    var trimmingOptionalWhitespace: Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = s.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return s[first ... last]
    }
}
