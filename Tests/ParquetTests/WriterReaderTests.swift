import Foundation
import Testing
@testable import Parquet

func tempPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("kiln-parquet-\(UUID().uuidString)-\(name)").path
}

@Test("the writer's files read back: values, nulls, lists, row groups, statistics", arguments: [CompressionCodec.snappy, .gzip, .zstd, .uncompressed])
func writeThenRead(_ codec: CompressionCodec) throws {
    let path = tempPath("rt.parquet")
    defer { try? FileManager.default.removeItem(atPath: path) }
    var options = WriterOptions()
    options.compression = codec
    options.dataPageSize = 256
    let w = try ParquetWriter(path: path, fields: [
        ParquetField("x", .float), ParquetField("n", .int64, nullable: false), ParquetField("s", .string),
        ParquetField("v", .floatList),
    ], options: options)
    for g in 0..<3 {
        let rows = (0..<(50 + g)).map { $0 + 100 * g }
        try w.writeRowGroup([
            ColumnInput(.float(rows.map { Float($0) / 2 }), validity: rows.map { $0 % 5 != 0 }),
            ColumnInput(.int64(rows.map { Int64($0) * -3 })),
            ColumnInput(.string(rows.map { "s\($0 % 4)" }), validity: rows.map { $0 % 3 != 0 }),
            ColumnInput(.floatList(rows.map { r in (0..<(r % 3)).map { Float(r * 10 + $0) } }), validity: rows.map { $0 % 7 != 0 }),
        ])
    }
    try w.close()
    let r = try ParquetFileReader(path: path)
    #expect(r.rowGroupCount == 3)
    #expect(r.rowCount == 153)
    let g1 = try r.readRowGroup(1)
    let x = try #require(g1.column(named: "x"))
    #expect(x.slotCount == 51 && !x.isPresent(0) && x.isPresent(1))
    let wantX: [Float] = (100..<151).filter { $0 % 5 != 0 }.map { Float($0) / 2 }
    #expect(x.values == ColumnValues.float(wantX))
    let s = try #require(g1.column(named: "s"))
    guard case .byteArray(let sb) = s.values else { Issue.record("s not bytes"); return }
    let gotS: [String] = (0..<sb.count).map { sb.string(at: $0) }
    let wantS: [String] = (100..<151).filter { $0 % 3 != 0 }.map { "s\($0 % 4)" }
    #expect(gotS == wantS)
    let v = try #require(g1.column(named: "v"))
    let (rows, elements) = try v.listValues()
    for (i, row) in rows.enumerated() {
        let rr = 100 + i
        if rr % 7 == 0 { #expect(row == nil) } else {
            let got: [Double]? = row.map { Array(elements[$0]) }
            let want: [Double] = (0..<(rr % 3)).map { Double(rr * 10 + $0) }
            #expect(got == want)
        }
    }
    let stats = try #require(r.metadata.rowGroups[1].columns[1].metaData?.statistics)
    #expect(stats.nullCount == 0)
    #expect(stats.effectiveMin == withUnsafeBytes(of: Int64(-150 * 3)) { Array($0) })
    let m = try r.readDenseMatrix(rowGroup: 0, columns: ["x", "n"])
    #expect(m.rows == 50 && m.columns == 2)
    #expect(m.values[0].isNaN && m.values[2] == 0.5 && m.values[3] == -3)
    let sp = try r.readSparseMatrix(rowGroup: 0, columns: ["x", "n"])
    #expect(sp.rowOffsets.count == 51 && sp.values.count == sp.columnIndices.count)
}

@Test("dense matrices expand list<float> columns")
func denseWithList() throws {
    let path = tempPath("list.parquet")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let w = try ParquetWriter(path: path, fields: [ParquetField("y", .double, nullable: false), ParquetField("v", .floatList)])
    try w.writeRowGroup([ColumnInput(.double([1, 2, 3])), ColumnInput(.floatList([[1, 2], [3], []]), validity: [true, true, false])])
    try w.close()
    let m = try ParquetFileReader(path: path).readDenseMatrix(rowGroup: 0)
    #expect(m.columns == 3)
    #expect(m.columnNames == ["y", "v[0]", "v[1]"])
    let firstRows: [Float] = Array(m.values[0..<5])
    #expect(firstRows == [1, 1, 2, 2, 3])
    #expect(m.values[5].isNaN && m.values[7].isNaN && m.values[8].isNaN)
}

@Test("every truncation and many byte flips of a valid file throw or read, never crash")
func corruptFiles() throws {
    let dir = corpusURL()
    let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent("default_nullable.parquet")))
    var options = ReaderOptions()
    options.maxPageBytes = 1 << 24
    func tryRead(_ b: [UInt8]) {
        guard let r = try? ParquetFileReader(bytes: b, options: options) else { return }
        for g in 0..<r.rowGroupCount { _ = try? r.readRowGroup(g) }
    }
    for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) { tryRead(Array(bytes[0..<cut])) }
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<300 {
        var b = bytes
        for _ in 0..<3 { b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
        tryRead(b)
    }
    #expect(throws: ParquetError.self) { _ = try ParquetFileReader(bytes: Array(bytes[0..<(bytes.count - 1)])) }
}

@Test("crash inputs found by the fuzzer stay fixed")
func fuzzRegressions() throws {
    let dir = corpusURL()
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("crash-") }
    for f in files {
        let b = try [UInt8](Data(contentsOf: dir.appendingPathComponent(f)))
        if let r = try? ParquetFileReader(bytes: b) {
            for g in 0..<r.rowGroupCount { _ = try? r.readRowGroup(g) }
        }
    }
}

@Test("unknown columns and row groups are clear errors")
func badArguments() throws {
    let r = try ParquetFileReader(path: corpusURL().appendingPathComponent("default_required.parquet").path)
    #expect(throws: ParquetError.self) { _ = try r.readRowGroup(5) }
    #expect(throws: ParquetError.self) { _ = try r.readRowGroup(0, columns: ["nope"]) }
    let g = try r.readRowGroup(0, columns: ["f64", "i32"])
    #expect(g.columns.map(\.descriptor.name) == ["f64", "i32"])
}

@Test("numeric dictionaries are used when small and fall back to PLAIN past the limit")
func numericDictionaryFallback() throws {
    for limit in [64, 1 << 20] {
        let path = tempPath("dict.parquet")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = WriterOptions()
        options.dictionaryPageSizeLimit = limit
        let w = try ParquetWriter(path: path, fields: [ParquetField("a", .int64, nullable: false), ParquetField("b", .double)], options: options)
        let a: [Int64] = (0..<1000).map { Int64($0 * 37 % 1000) }
        let b: [Double] = (0..<1000).map { Double($0 % 10) / 4 }
        try w.writeRowGroup([ColumnInput(.int64(a)), ColumnInput(.double(b), validity: (0..<1000).map { $0 % 11 != 0 })])
        try w.close()
        let r = try ParquetFileReader(path: path)
        let g = try r.readRowGroup(0)
        #expect(g.columns[0].values == ColumnValues.int64(a))
        let wantB: [Double] = (0..<1000).filter { $0 % 11 != 0 }.map { Double($0 % 10) / 4 }
        #expect(g.columns[1].values == ColumnValues.double(wantB))
        let enc = r.metadata.rowGroups[0].columns[0].metaData!.encodings
        #expect(enc.contains(Encoding.rleDictionary.rawValue) == (limit > 64))
    }
}
