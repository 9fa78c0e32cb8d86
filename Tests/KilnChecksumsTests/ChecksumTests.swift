import Foundation
import Testing
@testable import KilnChecksums

@Suite struct ChecksumTests {
    /// The standard CRC "check" input and the catalogue check values of each algorithm.
    static let check = Array("123456789".utf8)

    @Test func crcCheckValues() {
        var a = CRC32(); Self.check.withUnsafeBytes { a.update($0) }
        #expect(a.value == 0xCBF4_3926)
        var b = CRC32C(); Self.check.withUnsafeBytes { b.update($0) }
        #expect(b.value == 0xE306_9283)
        var c = CRC64NVME(); Self.check.withUnsafeBytes { c.update($0) }
        #expect(c.value == 0xAE8B_1486_0A79_9888)
    }

    @Test("slice-by-8 CRC32C equals the bitwise definition on odd lengths and splits", arguments: [0, 1, 7, 8, 9, 1000, 4097])
    func crc32cMatchesReference(length: Int) {
        let data = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var reference: UInt32 = 0xFFFF_FFFF
        for byte in data {
            reference ^= UInt32(byte)
            for _ in 0..<8 { reference = (reference & 1) != 0 ? (reference >> 1) ^ 0x82F6_3B78 : reference >> 1 }
        }
        var split = CRC32C()
        let mid = length / 3
        data[..<mid].withUnsafeBytes { split.update($0) }
        data[mid...].withUnsafeBytes { split.update($0) }
        #expect(split.value == reference ^ 0xFFFF_FFFF)
    }

    @Test func s3HeaderValuesForHello() {
        // Values S3 and botocore produce for the body "hello".
        let expected: [ChecksumAlgorithm: String] = [.crc32: "NhCmhg==", .sha256: "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
                                                     .sha1: "qvTGHdzF6KLavt4PO0gs2a6pQ00="]
        for (alg, value) in expected {
            var h = alg.makeHasher()
            h.update(Array("hello".utf8))
            #expect(h.finalizeBase64() == value, "\(alg)")
        }
    }

    @Test func headerNames() {
        #expect(ChecksumAlgorithm(headerName: "X-Amz-Checksum-CRC32C") == .crc32c)
        #expect(ChecksumAlgorithm(headerName: "x-amz-checksum-mode") == nil)
        #expect(ChecksumAlgorithm.crc64nvme.headerName == "x-amz-checksum-crc64nvme")
    }

    @Test func hex() {
        #expect([0x00, 0xAB, 0xFF].hexString == "00abff")
        #expect(bytesFromHex("00aBff") == [0x00, 0xAB, 0xFF])
        #expect(bytesFromHex("abc") == nil)
        #expect(bytesFromHex("zz") == nil)
    }
}
