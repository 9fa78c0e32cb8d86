import Foundation
import Testing
@testable import RecordIO

/// The vectors of ../shared/specs/algorithms/test-vectors (written by the SageMaker SDK's own writers).
struct Vector: Sendable, CustomTestStringConvertible {
    let name: String
    var testDescription: String { name }
    var bytes: [UInt8] { Array(try! Data(contentsOf: Bundle.module.url(forResource: "Vectors/\(name)", withExtension: "pbr")!)) }
    var json: [String: Any] {
        try! JSONSerialization.jsonObject(with: Data(contentsOf: Bundle.module.url(forResource: "Vectors/\(name)", withExtension: "json")!)) as! [String: Any]
    }
}

let vectors = ["dense_f32_nolabel", "dense_f32_label", "dense_f64_label", "dense_int_label", "sparse_f32_label",
               "sparse_f32_empty_row", "response_kmeans", "response_linear_learner_multiclass", "multipart_dmlc"].map(Vector.init)

func expectTensor(_ t: Tensor?, _ expected: [String: Any], _ context: String) {
    guard let t else { Issue.record("\(context): missing"); return }
    let values = (expected["values"] as? [Any] ?? []).map { ($0 as! NSNumber).doubleValue }
    let keys = (expected["keys"] as? [Any] ?? []).map { ($0 as! NSNumber).uint64Value }
    let shape = (expected["shape"] as? [Any] ?? []).map { ($0 as! NSNumber).uint64Value }
    switch (t, expected["type"] as? String) {
    case (.float32(let v, _, _), "float32_tensor"): #expect(v == values.map { Float($0) }, "\(context)")
    case (.float64(let v, _, _), "float64_tensor"): #expect(v == values, "\(context)")
    case (.int32(let v, _, _), "int32_tensor"): #expect(v.map(Double.init) == values, "\(context)")
    default: Issue.record("\(context): \(t) is not a \(expected["type"] ?? "?")")
    }
    #expect(t.keys == keys, "\(context) keys")
    #expect(t.shape == shape, "\(context) shape")
}

@Suite struct RecordIOVectorTests {
    @Test("every vector decodes to the SDK's values", arguments: vectors)
    func decodes(_ v: Vector) throws {
        let records = try RecordIOStream.records(v.bytes)
        let expected = v.json["records"] as! [[String: Any]]
        #expect(records.count == expected.count)
        for (i, (record, want)) in zip(records, expected).enumerated() {
            for (side, tensors, map) in [("features", record.features, want["features"]), ("label", record.label, want["label"])] {
                let wanted = map as? [String: [String: Any]] ?? [:]
                #expect(Set(tensors.keys) == Set(wanted.keys), "\(v.name) #\(i) \(side) keys")
                for (key, w) in wanted { expectTensor(tensors[key], w, "\(v.name) #\(i) \(side)[\(key)]") }
            }
        }
    }

    @Test("re-encoding gives the SDK's bytes (single-entry maps) or the same records", arguments: vectors)
    func roundTrips(_ v: Vector) throws {
        let records = try RecordIOStream.records(v.bytes)
        let expected = v.json["records"] as! [[String: Any]]
        for (record, want) in zip(records, expected) {
            let encoded = RecordProtobuf.encode(record)
            #expect(try RecordProtobuf.decode(encoded) == record)
            if record.features.count <= 1, record.label.count <= 1, let hex = want["payload_hex"] as? String, v.name != "multipart_dmlc" {
                #expect(encoded.map { String(format: "%02x", $0) }.joined() == hex, "\(v.name)")
            }
        }
        if v.name.hasPrefix("dense") || v.name.hasPrefix("sparse") {
            #expect(try RecordIOStream.encode(records) == v.bytes, "\(v.name): whole stream byte-identical")
        }
    }

    @Test func sparseRowsScatterIntoDenseRows() throws {
        let records = try RecordIOStream.records(Vector(name: "sparse_f32_empty_row").bytes)
        #expect(try records[0].features["values"]!.denseRow(width: 4) == [0, 0, 0, 0])
        #expect(try records[1].features["values"]!.denseRow(width: 4) == [0, 0, 7, 0])
        #expect(throws: RecordIOError.self) { try records[1].features["values"]!.denseRow(width: 2) }
    }

    @Test func corruptStreamsThrowWithOffsets() throws {
        let good = Vector(name: "dense_f32_label").bytes
        #expect(throws: RecordIOError.truncated(offset: 0)) { try RecordIOStream.records(Array(good.prefix(20))) }
        var badMagic = good
        badMagic[0] = 0
        #expect(throws: RecordIOError.badMagic(offset: 0)) { try RecordIOStream.records(badMagic) }
        #expect(throws: RecordIOError.self) { try RecordIOStream.records(Array(good.prefix(good.count - 8)) + [1, 2, 3]) }
        // A lone middle fragment is out of order.
        let orphan: [UInt8] = [0x0A, 0x23, 0xD7, 0xCE, 0x04, 0x00, 0x00, 0x40, 1, 2, 3, 4]
        #expect(throws: RecordIOError.badFragment(offset: 0)) { try RecordIOStream.records(orphan) }
        let empty = try RecordIOStream.records([])
        #expect(empty.isEmpty)
    }

    @Test func garbagePayloadsNeverCrash() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let n = Int(rng.next(upperBound: UInt32(64)))
            let payload = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? RecordProtobuf.decode(payload)
        }
    }
}
