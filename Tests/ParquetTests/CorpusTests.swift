import Foundation
import Testing
@testable import Parquet

/// Canonical JSON-like values for comparing with the corpus's expected values (see tests/parquet/make_corpus.py).
enum Canon: Equatable, CustomStringConvertible {
    case null, bool(Bool), int(Int64), double(Double), string(String), list([Canon])
    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .string(let s): return "\"\(s)\""
        case .list(let l): return "\(l)"
        }
    }

    init(json: Any) {
        switch json {
        case is NSNull: self = .null
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { self = .bool(n.boolValue) }
            else if String(cString: n.objCType) == "d" || String(cString: n.objCType) == "f" { self = .double(n.doubleValue) }
            else { self = .int(n.int64Value) }
        case let s as String: self = .string(s)
        case let a as [Any]: self = .list(a.map(Canon.init(json:)))
        case let d as [String: Any]:
            if let f = d["f"] as? String, let v = Double(f) { self = .double(v) }
            else if let i = d["i"] as? String, let v = Int64(i) { self = .int(v) }
            else { self = .string("\(d)") }
        default: self = .string("\(json)")
        }
    }

    /// Numbers compare by value whatever JSON chose (1.0 may come back as an int).
    func matches(_ o: Canon) -> Bool {
        switch (self, o) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b
        case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.matches($1) }
        default: return self == o
        }
    }
}

func hex(_ s: ArraySlice<UInt8>) -> String { s.map { String(format: "%02x", $0) }.joined() }

func canonicalValues(_ col: ColumnChunkData) throws -> [Canon] {
    let d = col.descriptor
    var items: [Canon] = []
    switch col.values {
    case .boolean(let v): items = v.map { .bool($0) }
    case .int32(let v):
        if case .decimal? = d.logicalType { items = v.map { .string("\($0)") }
        } else if case .integer(_, false)? = d.logicalType { items = v.map { .int(Int64(UInt32(bitPattern: $0))) }
        } else { items = v.map { .int(Int64($0)) } }
    case .int64(let v):
        if case .decimal? = d.logicalType { items = v.map { .string("\($0)") } } else { items = v.map { .int($0) } }
    case .int96(let v): items = v.map { .int($0.nanosecondsSinceEpoch) }
    case .float(let v): items = v.map { .double(Double($0)) }
    case .double(let v): items = v.map { .double($0) }
    case .byteArray(let b), .fixedLenByteArray(let b):
        items = (0..<b.count).map { i in
            switch d.logicalType {
            case .string?: return .string(b.string(at: i))
            case .decimal?:
                var x: Int128 = (b[i].first ?? 0) & 0x80 != 0 ? -1 : 0
                for byte in b[i] { x = x << 8 | Int128(byte) }
                return .string("\(x)")
            default: return .string(hex(b[i]))
            }
        }
    }
    if d.maxRepetitionLevel == 1 {
        let (rows, _) = try col.listValues()
        // Rebuild element values (nulls inside lists stay null).
        var out: [Canon] = []
        var k = 0
        var elements: [Canon] = []
        for i in 0..<col.slotCount {
            let lv = col.definitionLevels.isEmpty ? d.maxDefinitionLevel : Int(col.definitionLevels[i])
            if lv >= d.repeatedDefinitionLevel {
                if lv == d.maxDefinitionLevel { elements.append(items[k]); k += 1 } else { elements.append(.null) }
            }
        }
        for r in rows { out.append(r.map { .list(Array(elements[$0])) } ?? .null) }
        return out
    }
    var out: [Canon] = []
    var k = 0
    for i in 0..<col.slotCount {
        if col.isPresent(i) { out.append(items[k]); k += 1 } else { out.append(.null) }
    }
    return out
}

func corpusURL() -> URL { Bundle.module.url(forResource: "Corpus", withExtension: nil)! }

func corpusNames() -> [String] {
    let files = (try? FileManager.default.contentsOfDirectory(atPath: corpusURL().path)) ?? []
    return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
}

@Test("every value in the pyarrow corpus reads back as pyarrow reads it", arguments: corpusNames())
func corpusFile(_ name: String) throws {
    let dir = corpusURL()
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("\(name).json"))) as! [String: Any]
    let reader = try ParquetFileReader(path: dir.appendingPathComponent("\(name).parquet").path)
    #expect(reader.rowCount == json["rows"] as! Int)
    #expect(reader.rowGroupCount == json["row_groups"] as! Int)
    var expected = json["columns"] as? [String: Any] ?? [:]
    if let other = json["columns_from"] as? String {
        let o = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("\(other).json"))) as! [String: Any]
        expected = o["columns"] as! [String: Any]
    }
    #expect(!expected.isEmpty)
    var got: [String: [Canon]] = [:]
    for g in 0..<reader.rowGroupCount {
        let data = try reader.readRowGroup(g)
        for col in data.columns { got[col.descriptor.name, default: []] += try canonicalValues(col) }
    }
    for (column, values) in expected {
        let want = (values as! [Any]).map(Canon.init(json:))
        let have = got[column] ?? []
        #expect(have.count == want.count, "\(name).\(column): \(have.count) values, expected \(want.count)")
        let bad = zip(have, want).enumerated().filter { !$0.element.0.matches($0.element.1) }
        #expect(bad.isEmpty, "\(name).\(column): \(bad.count) differences, first: \(bad.first.map { "row \($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")")
    }
}
