#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Decimal numbers in text files (CSV, libsvm), parsed without the C library's locale-aware `strtod`/`strtof`
// for the common short forms: shared by the XGBoost and first-party channel readers.

@usableFromInline
let exactPowersOfTen: [Double] = (0...22).map { e in
    var x = 1.0
    for _ in 0..<e { x *= 10 }
    return x
}

/// Parses one decimal number in `p[start..<end]` (already trimmed of the delimiter).
/// Returns nil when the text is not a number. Handles sign, fraction, exponent, and
/// falls back to `strtod` for long mantissas and words such as `nan`/`inf`.
@inlinable
public func parseDecimal(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    var i = start
    var e = end
    while i < e && (p[i] == 32 || p[i] == 9) { i += 1 }
    while e > i && (p[e - 1] == 32 || p[e - 1] == 9 || p[e - 1] == 13) { e -= 1 }
    if i >= e { return nil }
    var negative = false
    if p[i] == 45 { negative = true; i += 1 } else if p[i] == 43 { i += 1 }
    var mantissa: UInt64 = 0
    var digits = 0
    var exp10 = 0
    var sawDigit = false
    while i < e {
        let d = p[i] &- 48
        if d > 9 { break }
        sawDigit = true
        if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(d); if mantissa != 0 { digits += 1 } } else { exp10 += 1 }
        i += 1
    }
    if i < e && p[i] == 46 {
        i += 1
        while i < e {
            let d = p[i] &- 48
            if d > 9 { break }
            sawDigit = true
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(d); if mantissa != 0 { digits += 1 }; exp10 -= 1 }
            i += 1
        }
    }
    if !sawDigit { return slowParse(p, start, end) }
    if i < e && (p[i] == 101 || p[i] == 69) {
        i += 1
        var eneg = false
        if i < e && p[i] == 45 { eneg = true; i += 1 } else if i < e && p[i] == 43 { i += 1 }
        var ev = 0
        var sawE = false
        while i < e {
            let d = p[i] &- 48
            if d > 9 { break }
            sawE = true
            if ev < 100000 { ev = ev * 10 + Int(d) }
            i += 1
        }
        if !sawE { return nil }
        exp10 += eneg ? -ev : ev
    }
    if i != e { return nil }
    if digits > 15 { return slowParse(p, start, end) }
    var v = Double(mantissa)
    if exp10 < 0 {
        if exp10 >= -22 { v /= exactPowersOfTen[-exp10] } else { return slowParse(p, start, end) }
    } else if exp10 > 0 {
        if exp10 <= 22 { v *= exactPowersOfTen[exp10] } else { return slowParse(p, start, end) }
    }
    return negative ? -v : v
}

@usableFromInline
func slowParse(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
    var tmp = [CChar](repeating: 0, count: end - start + 1)
    for k in 0..<(end - start) { tmp[k] = CChar(bitPattern: p[start + k]) }
    return tmp.withUnsafeMutableBufferPointer { buf -> Double? in
        var endp: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(buf.baseAddress!, &endp)
        guard let endp else { return nil }
        var q = endp
        while q.pointee == 32 || q.pointee == 9 || q.pointee == 13 { q += 1 }
        if q == buf.baseAddress! || q.pointee != 0 { return nil }
        return v
    }
}
