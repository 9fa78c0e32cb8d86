import Foundation

/// RFC 3986 percent-encoding and decoding as SigV4 canonicalisation needs it.
public enum URIEncoding {
    /// Percent-encodes every byte except `A–Z a–z 0–9 - _ . ~` (and `/` when `keepSlash`), upper-case hex.
    public static func encode<S: Sequence>(_ bytes: S, keepSlash: Bool) -> String where S.Element == UInt8 {
        var out = [UInt8]()
        for b in bytes {
            if isUnreserved(b) || (keepSlash && b == UInt8(ascii: "/")) {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHex[Int(b >> 4)])
                out.append(upperHex[Int(b & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encode(_ string: some StringProtocol, keepSlash: Bool) -> String {
        encode(Array(string.utf8), keepSlash: keepSlash)
    }

    /// Decodes `%XX` escapes to raw bytes; malformed escapes are kept literally. `+` is not a space here.
    public static func decodeToBytes(_ string: some StringProtocol) -> [UInt8] {
        let input = Array(string.utf8)
        var out = [UInt8]()
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "%"), i + 2 < input.count,
               let hi = hexValue(input[i + 1]), let lo = hexValue(input[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(input[i])
                i += 1
            }
        }
        return out
    }

    /// Decodes `%XX` escapes; nil if the result is not valid UTF-8.
    public static func decode(_ string: some StringProtocol) -> String? {
        String(validating: decodeToBytes(string), as: UTF8.self)
    }

    /// Decodes a query component where `+` also means a space (HTML forms, the query protocol).
    public static func decodeFormComponent(_ string: some StringProtocol) -> String? {
        decode(string.replacingOccurrences(of: "+", with: " "))
    }

    static func isUnreserved(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: "."), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

