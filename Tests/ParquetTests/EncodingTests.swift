import Foundation
import Testing
@testable import Parquet

@Test("Snappy round-trips repetitive, random and empty data")
func snappyRoundTrip() throws {
    var rng = SystemRandomNumberGenerator()
    let inputs: [[UInt8]] = [
        [],
        Array("abc".utf8),
        Array(String(repeating: "hello parquet ", count: 5000).utf8),
        (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) },
        (0..<200_000).map { UInt8(($0 / 7) % 5) },
    ]
    for input in inputs {
        let c = input.withUnsafeBytes { Snappy.compress($0) }
        let d = try c.withUnsafeBytes { try Codec.decompress(.snappy, $0, uncompressedSize: input.count) }
        #expect(d == input)
    }
}

@Test("Snappy rejects bad offsets and lengths instead of crashing")
func snappyCorrupt() {
    let bad: [[UInt8]] = [[5, 0x01, 0x05], [10, 0x00, 65], [3, 0xFC], [4, 0x0C, 0x00, 0x00]]
    for b in bad {
        #expect(throws: ParquetError.self) { try b.withUnsafeBytes { _ = try Codec.decompress(.snappy, $0, uncompressedSize: Int(b[0])) } }
    }
}

@Test("GZIP and ZSTD round-trip; wrong declared sizes throw")
func gzipZstd() throws {
    let input = Array(String(repeating: "kiln parquet 123 ", count: 1000).utf8)
    for codec in [CompressionCodec.gzip, .zstd, .uncompressed] {
        let c = try input.withUnsafeBytes { try Codec.compress(codec, $0) }
        let d = try c.withUnsafeBytes { try Codec.decompress(codec, $0, uncompressedSize: input.count) }
        #expect(d == input)
        #expect(throws: ParquetError.self) { try c.withUnsafeBytes { _ = try Codec.decompress(codec, $0, uncompressedSize: input.count + 1) } }
        #expect(throws: ParquetError.self) { try c.withUnsafeBytes { _ = try Codec.decompress(codec, UnsafeRawBufferPointer(rebasing: $0[0..<(c.count / 2)]), uncompressedSize: input.count) } }
    }
}

@Test("unsupported codecs are named in the error")
func unsupportedCodec() {
    #expect(throws: ParquetError.unsupported("compression codec BROTLI (supported: UNCOMPRESSED, SNAPPY, GZIP, ZSTD)")) {
        try [UInt8]([1]).withUnsafeBytes { _ = try Codec.decompress(.brotli, $0, uncompressedSize: 1) }
    }
}

@Test("RLE/bit-packed hybrid round-trips for every bit width", arguments: [0, 1, 2, 3, 5, 8, 13, 20, 32])
func rleRoundTrip(_ width: Int) throws {
    let maxV: UInt64 = width == 0 ? 0 : (width == 32 ? UInt64(UInt32.max) : (1 << UInt64(width)) - 1)
    var values: [UInt32] = []
    for i in 0..<1000 { values.append(UInt32(UInt64(i * 7919) % (maxV + 1))) }
    values += Array(repeating: UInt32(maxV), count: 300)
    values += (0..<37).map { UInt32(UInt64($0) % (maxV + 1)) }
    var out: [UInt8] = []
    values.withUnsafeBufferPointer { RLEHybridEncoder.encode($0, bitWidth: width, into: &out) }
    let back: [UInt32] = try out.withUnsafeBytes { raw in
        var d = try RLEHybridDecoder(raw, bitWidth: width)
        return try d.decode(values.count)
    }
    #expect(back == values)
}

@Test("RLE decoding past the data throws")
func rleTruncated() throws {
    let data: [UInt8] = [0x03, 0xFF]  // one bit-packed group of width 8 needs 8 bytes
    #expect(throws: ParquetError.self) {
        try data.withUnsafeBytes { raw in
            var d = try RLEHybridDecoder(raw, bitWidth: 8)
            let _: [UInt32] = try d.decode(16)
        }
    }
}

@Test("Thrift compact reader skips unknown fields of every type and bounds nesting")
func thriftSkip() throws {
    var w = ThriftCompactWriter()
    w.i32(1, 7)
    w.string(50, "unknown string")
    w.structField(51) { w in w.i64(1, 1 << 40); w.listI32(2, [1, 2, 3]); w.bool(3, true) }
    w.listString(52, ["a", "b"])
    w.i64(3, 42)
    w.stop()
    var r = ThriftCompactReader(w.bytes)
    let meta = try r.readFileMetaData()
    #expect(meta.version == 7)
    #expect(meta.numRows == 42)
    // 100 nested structs exceed the depth bound.
    var deep: [UInt8] = []
    for _ in 0..<100 { deep.append(0x1C) }  // field delta 1, type struct
    deep += Array(repeating: 0, count: 100)
    var r2 = ThriftCompactReader(deep)
    #expect(throws: ParquetError.self) { _ = try r2.readFileMetaData() }
    // A list claiming more elements than bytes left.
    var r3 = ThriftCompactReader([0x29, 0xF5, 0xFF, 0xFF, 0xFF, 0x0F])
    #expect(throws: ParquetError.self) { _ = try r3.readFileMetaData() }
}

@Test("DELTA_BINARY_PACKED decodes a hand-made block")
func deltaBinaryPacked() throws {
    // block 128, 4 miniblocks, 5 values, first value 7 (zigzag 14); deltas all +1: min delta 1 (zigzag 2), widths 0.
    let data: [UInt8] = [0x80, 0x01, 0x04, 0x05, 0x0E, 0x02, 0, 0, 0, 0]
    let (v, used) = try data.withUnsafeBytes { try ValueDecoding.deltaBinaryPacked($0, maxValues: 5) }
    #expect(v == [7, 8, 9, 10, 11])
    #expect(used == data.count)
}
