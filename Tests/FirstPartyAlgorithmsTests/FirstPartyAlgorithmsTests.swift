import Foundation
import Linalg
import RecordIO
import Testing
@testable import FirstPartyAlgorithms

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

@Suite struct NDArrayFileTests {
    @Test func listRoundTripsWithMXNetLayout() throws {
        let a = NDArrayFile.NamedArray(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let bytes = NDArrayFile.encode([a])
        // header (24) + magic, stype, ndim (12) + 2 dims (16) + ctx (8) + dtype (4) + data (24) + name count (8)
        #expect(bytes.count == 24 + 12 + 16 + 8 + 4 + 24 + 8)
        #expect(hex(Array(bytes[0 ..< 8])) == "1201000000000000")
        #expect(hex(Array(bytes[24 ..< 28])) == "c9fa93f9")
        #expect(try NDArrayFile.decode(bytes) == [a])
    }

    @Test func namedArraysKeepTheirNames() throws {
        let arrays = [NDArrayFile.NamedArray(name: "s", shape: [2], values: [1, 2]),
                      NDArrayFile.NamedArray(name: "mean", shape: [1, 2], values: [0.5, 0.25])]
        #expect(try NDArrayFile.decode(NDArrayFile.encode(arrays)) == arrays)
    }

    @Test func truncatedFilesAreRefused() {
        let bytes = NDArrayFile.encode([NDArrayFile.NamedArray(shape: [4], values: [1, 2, 3, 4])])
        #expect(throws: NDArrayFile.FormatError.self) { try NDArrayFile.decode(Array(bytes.dropLast(12))) }
    }
}

@Suite struct CSVRowsTests {
    @Test func readsLabelsAndFeatures() throws {
        var rows = TrainingRows(layout: .dense, width: 2)
        try CSVRows.read(Array("1,0.5,2\n0, 3 ,4\r\n\n".utf8), labelSize: 1, into: &rows)
        #expect(rows.count == 2 && rows.labels == [1, 0])
        #expect(rows.denseMatrix().values == [0.5, 2, 3, 4])
    }

    @Test func badRowsNameTheLine() {
        var rows = TrainingRows(layout: .dense, width: 2)
        do {
            try CSVRows.read(Array("1,2\n3,x\n".utf8), labelSize: 0, into: &rows)
            Issue.record("accepted a bad row")
        } catch {
            #expect(error.line == 2)
            #expect(error.message.contains("'x'"))
        }
        var wide = TrainingRows(layout: .dense, width: 2)
        #expect(throws: CSVRows.RowError.self) { try CSVRows.read(Array("1,2,3\n".utf8), labelSize: 0, into: &wide) }
    }

    /// A file of several 4 MiB pieces (parsed in parallel): rows in file order, in both layouts, with a
    /// blank line and a last line without line end; a bad row deep in the file is named by its absolute line.
    @Test func largeFilesParseInPiecesInFileOrder() throws {
        var text = "", expected: [Float] = [], labels: [Float] = []
        var line = 0
        while text.utf8.count < 13 << 20 {
            line += 1
            if line == 1000 { text += "\n"; continue }
            let a = Float(line % 97) * 0.25, b = Float(line % 13) - 6
            text += "\(line % 2),\(a),0,\(b)\n"
            expected += [a, 0, b]
            labels.append(Float(line % 2))
        }
        text += "1,7.5,0,-1"  // no line end
        expected += [7.5, 0, -1]
        labels.append(1)
        for layout in [TrainingRows.Layout.dense, .sparse] {
            var rows = TrainingRows(layout: layout, width: 3)
            try CSVRows.read(Array(text.utf8), labelSize: 1, into: &rows)
            #expect(rows.count == labels.count && rows.labels == labels)
            #expect(rows.denseMatrix().values == expected)
        }
        var broken = Array(text.utf8)
        let at = broken.count * 3 / 4
        let lineStart = broken[..<at].lastIndex(of: 10)! + 1
        let badLine = broken[..<lineStart].filter { $0 == 10 }.count + 1
        broken.replaceSubrange(lineStart ..< lineStart + 1, with: Array("x".utf8))
        var rows = TrainingRows(layout: .dense, width: 3)
        do {
            try CSVRows.read(broken, labelSize: 1, into: &rows)
            Issue.record("accepted a bad row")
        } catch {
            #expect(error.line == badLine)
            #expect(error.message.contains("'x'"))
        }
    }

    @Test func sparseLayoutDropsZeros() throws {
        var rows = TrainingRows(layout: .sparse, width: 3)
        try CSVRows.read(Array("0,2,0\n1,0,3\n".utf8), labelSize: 0, into: &rows)
        let m = rows.sparseMatrix()
        #expect(m.rowStarts == [0, 1, 3] && m.columnIndices == [1, 0, 2] && m.values == [2, 1, 3])
        #expect(m.densified().values == [0, 2, 0, 1, 0, 3])
    }
}

@Suite struct InferenceCodecTests {
    @Test func kmeansRecordIOResponseMatchesTheSDKVector() {
        // ../shared/specs/algorithms/test-vectors/response_kmeans.json, record 1.
        let rows: [[PredictionField]] = [[.scalar("distance_to_cluster", 3), .scalar("closest_cluster", 1)]]
        let body = InferenceResponse.encode(rows, as: "application/x-recordio-protobuf")
        #expect(hex(Array(body[8 ..< 70])) == "121f0a1364697374616e63655f746f5f636c7573746572120812060a0400004040121b0a0f636c6f736573745f636c7573746572120812060a040000803f")
        #expect(body.count == 72)
    }

    @Test func linearLearnerMulticlassResponseMatchesTheSDKVector() {
        let rows: [[PredictionField]] = [[.scalar("predicted_label", 2), .vector("score", [0.1, 0.2, 0.4, 0.3])]]
        let body = InferenceResponse.encode(rows, as: "application/x-recordio-protobuf")
        #expect(hex(Array(body[8...])) == "121b0a0f7072656469637465645f6c6162656c120812060a0400000040121d0a0573636f7265121412120a10cdcccc3dcdcc4c3ecdcccc3e9a99993e")
    }

    @Test func jsonPrintsFloat32LikePython() {
        let rows: [[PredictionField]] = [[.scalar("closest_cluster", 0), .scalar("distance_to_cluster", 23.405939)]]
        let json = String(decoding: InferenceResponse.encode(rows, as: "application/json"), as: UTF8.self)
        #expect(json == #"{"predictions": [{"closest_cluster": 0.0, "distance_to_cluster": 23.40593910217285}]}"#)
        let lines = String(decoding: InferenceResponse.encode(rows + rows, as: "application/jsonlines"), as: UTF8.self)
        #expect(lines.split(separator: "\n").count == 2)
        #expect(String(decoding: InferenceResponse.encode(rows, as: "text/csv"), as: UTF8.self) == "0.0,23.40593910217285\n")
    }

    @Test func requestsInEveryFormatGiveTheSameRows() throws {
        let csv = try InferenceRequest.decode(Array("1,2,3\n4,5,6".utf8), contentType: "text/csv", featureDim: 3)
        let json = try InferenceRequest.decode(Array(#"{"instances": [{"features": [1,2,3]}, {"data": {"features": {"keys": [0,1,2], "shape": [3], "values": [4,5,6]}}}]}"#.utf8),
                                               contentType: "application/json", featureDim: 3)
        let lines = try InferenceRequest.decode(Array("{\"features\": [1,2,3]}\n[4,5,6]\n".utf8), contentType: "application/jsonlines", featureDim: 3)
        let records = try RecordIOStream.encode([AmazonRecord(features: ["values": .dense([1, 2, 3])]),
                                                 AmazonRecord(features: ["values": .float32(values: [4, 6], keys: [0, 2], shape: [3])])])
        let recordio = try InferenceRequest.decode(records, contentType: "application/x-recordio-protobuf", featureDim: 3)
        #expect(csv.values == [1, 2, 3, 4, 5, 6])
        #expect(json == csv && lines == csv)
        #expect(recordio.values == [1, 2, 3, 4, 0, 6])
    }

    @Test func wrongWidthsAndTypesAreClearErrors() throws {
        #expect(throws: (any Error).self) { try InferenceRequest.decode(Array("1,2".utf8), contentType: "text/csv", featureDim: 3) }
        #expect(throws: (any Error).self) { try InferenceRequest.decode(Array("1,2,3".utf8), contentType: "image/png", featureDim: 3) }
        #expect(throws: (any Error).self) { try InferenceResponse.mediaType(accept: "image/png") }
        #expect(try InferenceResponse.mediaType(accept: "*/*") == "application/json")
    }
}

@Suite struct HyperparameterReaderTests {
    let log = FirstPartyLog { _ in }

    @Test func mergesDefaultsAndParsesTypes() throws {
        let h = try HyperparameterReader(provided: ["k": "10", "force_dense": "True", "_kvstore": "dist_sync", "eval_metrics": #"["msd", "ssd"]"#],
                                         defaults: ["epochs": "1", "extra_center_factor": "auto"], known: ["k", "force_dense", "eval_metrics"],
                                         algorithm: "kmeans", log: log)
        #expect(try h.requiredInt("k", in: 2 ... Int.max) == 10)
        #expect(try h.bool("force_dense") == true)
        #expect(try h.int("extra_center_factor", in: 1 ... Int.max, allowAuto: true) == nil)
        #expect(h.list("eval_metrics") == ["msd", "ssd"])
    }

    @Test func unknownAndInvalidValuesFailWithTheKey() throws {
        #expect(throws: (any Error).self) {
            try HyperparameterReader(provided: ["bogus": "1"], defaults: [:], known: ["k"], algorithm: "kmeans", log: log)
        }
        let h = try HyperparameterReader(provided: ["k": "zero"], defaults: [:], known: ["k"], algorithm: "kmeans", log: log)
        do { _ = try h.requiredInt("k", in: 2 ... Int.max); Issue.record("accepted") } catch {
            #expect("\(error)".contains("k='zero'"))
        }
    }
}
