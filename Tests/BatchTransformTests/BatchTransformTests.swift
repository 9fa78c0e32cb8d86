import BatchTransform
import Foundation
import ModelServing
import Synchronization
import Testing

/// A model that answers one line per CSV row: the sum of its cells; a cell that is not a number is rejected.
final class SumModel: ServableModel {
    let calls = Mutex<[Int]>([])

    func invoke(_ body: [UInt8], contentType: String?, accept: String?) throws -> (body: [UInt8], contentType: String) {
        let rows = String(decoding: body, as: UTF8.self).split(separator: "\n")
        calls.withLock { $0.append(body.count) }
        var out = ""
        for (i, row) in rows.enumerated() {
            var sum = 0.0
            for cell in row.split(separator: ",") {
                guard let v = Double(cell) else { throw InvocationFailure("could not convert '\(cell)' to a number on row \(i + 1)") }
                sum += v
            }
            out += "\(sum)\n"
        }
        return (Array(out.utf8), "text/csv")
    }
}

func plan(split: SplitType = .line, multi: Bool = true, payload: Int = 6 << 20, concurrency: Int = 2, lines: Bool = true,
          input: String? = nil, output: String? = nil, join: Bool = false, contentType: String = "text/csv", accept: String? = nil) -> TransformPlan {
    TransformPlan(jobName: "t", image: "xgboost", environment: [:], modelDirectory: "", inputs: [], outputDirectory: "", contentType: contentType,
                  accept: accept, splitType: split, compressionGzip: false, multiRecord: multi, maxPayloadBytes: payload,
                  maxConcurrentTransforms: concurrency, assembleLines: lines, inputFilter: input, outputFilter: output, joinInput: join)
}

func run(_ text: String, _ p: TransformPlan, chunk: Int = 7, model: SumModel = SumModel()) throws -> String {
    var sink = MemorySink()
    _ = try TransformEngine(model: model, plan: p).run(source: BytesChunkSource(Array(text.utf8), chunkSize: chunk), uri: "s3://b/in.csv", into: &sink)
    return String(decoding: sink.bytes, as: UTF8.self)
}

@Suite struct JSONPathFilterTests {
    let row: [Substring] = ["id7", "1", "2", "3", "4"]

    @Test func csvSelectors() throws {
        #expect(try JSONPathFilter("$").apply(cells: row) == row)
        #expect(try JSONPathFilter("").apply(cells: row) == row)
        #expect(try JSONPathFilter("$[1:]").apply(cells: row) == ["1", "2", "3", "4"])
        #expect(try JSONPathFilter("$[0]").apply(cells: row) == ["id7"])
        #expect(try JSONPathFilter("$[1:3]").apply(cells: row) == ["1", "2"])
        #expect(try JSONPathFilter("$[0,-1]").apply(cells: row) == ["id7", "4"])
        #expect(try JSONPathFilter("$[0, 3:]").apply(cells: row) == ["id7", "3", "4"])
        #expect(try JSONPathFilter("$[*]").apply(cells: row) == row)
        #expect(try JSONPathFilter("$[:-2]").apply(cells: row) == ["id7", "1", "2"])
        #expect(throws: JSONPathFilter.ParseError.self) { try JSONPathFilter("$[9]").apply(cells: row) }
        #expect(throws: JSONPathFilter.ParseError.self) { try JSONPathFilter("$.features").apply(cells: row) }
    }

    @Test func jsonSelectors() throws {
        let record: [String: Any] = ["id": 3, "features": [1.5, 2.5, 3.5], "label": 1]
        #expect(try JSONPathFilter("$.features").apply(json: record) as? [Double] == [1.5, 2.5, 3.5])
        #expect(try JSONPathFilter("$.features[1:]").apply(json: record) as? [Double] == [2.5, 3.5])
        #expect(try JSONPathFilter("$.features[0]").apply(json: record) as? Double == 1.5)
        let picked = try JSONPathFilter("$['id','label']").apply(json: record) as? [String: Int]
        #expect(picked == ["id": 3, "label": 1])
        #expect(try JSONPathFilter("$['id']").apply(json: record) as? Int == 3)
        #expect(throws: JSONPathFilter.ParseError.self) { try JSONPathFilter("$.missing").apply(json: record) }
    }

    @Test func rejectsWhatItDoesNotSupport() {
        for bad in ["features", "$[", "$[a]", "$[1:2:3]", "$..x", "$[?(@.a)]"] {
            #expect(throws: JSONPathFilter.ParseError.self, "\(bad)") { try JSONPathFilter(bad) }
        }
    }
}

@Suite struct RecordProcessorTests {
    @Test func csvJoinAppendsResultColumns() throws {
        let p = RecordProcessor(inputFormat: .csv, outputFormat: .csv, inputFilter: try JSONPathFilter("$[1:]"),
                                outputFilter: try JSONPathFilter("$[0,-1]"), joinInput: true)
        #expect(String(decoding: try p.filterInput(Array("7,1,2".utf8)[...]), as: UTF8.self) == "1,2")
        let joined = try p.finish(input: Array("7,1,2".utf8)[...], output: Array("0.25".utf8)[...])
        #expect(String(decoding: joined, as: UTF8.self) == "7,0.25")
    }

    @Test func quotedCSVCellsStayWhole() {
        #expect(CSV.cells(Array("a,\"b,c\",d\r".utf8)[...]) == ["a", "\"b,c\"", "d"])
    }

    @Test func jsonJoinAddsSageMakerOutput() throws {
        let p = RecordProcessor(inputFormat: .json, outputFormat: .json, inputFilter: try JSONPathFilter("$.features"),
                                outputFilter: try JSONPathFilter("$['id','SageMakerOutput']"), joinInput: true)
        let input = Array(#"{"id":1,"features":[1,2]}"#.utf8)[...]
        #expect(String(decoding: try p.filterInput(input), as: UTF8.self) == "[1,2]")
        let joined = try p.finish(input: input, output: Array(#"{"score":0.5}"#.utf8)[...])
        let object = try JSONSerialization.jsonObject(with: Data(joined)) as? [String: Any]
        #expect(object?.keys.sorted() == ["SageMakerOutput", "id"])
        #expect((object?["SageMakerOutput"] as? [String: Double]) == ["score": 0.5])
        let plain = RecordProcessor(inputFormat: .json, outputFormat: .json, inputFilter: try JSONPathFilter("$"),
                                    outputFilter: try JSONPathFilter("$"), joinInput: true)
        let wrapped = try JSONSerialization.jsonObject(with: Data(try plain.finish(input: Array("[1,2]".utf8)[...], output: Array("0.5".utf8)[...])))
        #expect((wrapped as? [String: Any])?["SageMakerInput"] as? [Int] == [1, 2])
        #expect((wrapped as? [String: Any])?["SageMakerOutput"] as? Double == 0.5)
    }

    @Test func responsesSplitPerRecord() throws {
        let lines = try RecordProcessor.splitResponse(Array("1\n2\n3\n".utf8), records: 3).map { String(decoding: $0, as: UTF8.self) }
        #expect(lines == ["1", "2", "3"])
        let json = try RecordProcessor.splitResponse(Array(#"{"predictions": [{"score": 1}, {"score": 2}]}"#.utf8), records: 2)
        #expect(json.map { String(decoding: $0, as: UTF8.self) } == [#"{"score":1}"#, #"{"score":2}"#])
        #expect(throws: RecordError.self) { try RecordProcessor.splitResponse(Array("1\n2\n".utf8), records: 3) }
    }
}

@Suite struct RecordReaderTests {
    func records(_ bytes: [UInt8], _ split: SplitType, chunk: Int, max: Int = 1 << 20) throws -> [(String, Int)] {
        var reader = RecordReader(source: BytesChunkSource(bytes, chunkSize: chunk), split: split, maxRecordBytes: max)
        var out: [(String, Int)] = []
        while try reader.next({ out.append((String(decoding: $0, as: UTF8.self), $1)) }) {}
        return out
    }

    @Test func linesAcrossChunkBoundaries() throws {
        let text = Array("a,1\r\nbb,22\n\nccc,333\nlast".utf8)
        for chunk in [1, 2, 3, 5, 64] {
            let got = try records(text, .line, chunk: chunk)
            #expect(got.map(\.0) == ["a,1", "bb,22", "ccc,333", "last"], "chunk \(chunk)")
            #expect(got.map(\.1) == [1, 2, 4, 5], "empty line 3 is skipped but counted")
        }
    }

    /// 200 MB of lines go through a buffer of a few MB: input size never becomes memory size.
    @Test func bufferStaysBoundedOnLargeInput() throws {
        struct Generated: ByteChunkSource {
            var left = 200
            let chunk = Array(String(repeating: "0.25,1.5,-3.75,42\n", count: (1 << 20) / 18).utf8)
            mutating func nextChunk() throws -> [UInt8]? {
                guard left > 0 else { return nil }
                left -= 1
                return chunk
            }
        }
        var reader = RecordReader(source: Generated(), split: .line, maxRecordBytes: 6 << 20)
        var records = 0, maxBuffered = 0
        while try reader.next({ _, _ in records += 1 }) { maxBuffered = max(maxBuffered, reader.bufferedBytes) }
        #expect(records == 200 * ((1 << 20) / 18))
        #expect(maxBuffered < 4 << 20)
    }

    @Test func oversizedLineFails() {
        #expect(throws: RecordError.self) { try records(Array("short\n\(String(repeating: "x", count: 100))\n".utf8), .line, chunk: 8, max: 50) }
    }

    @Test func wholeObject() throws {
        #expect(try records(Array("a\nb\n".utf8), .none, chunk: 1).map(\.0) == ["a\nb\n"])
        #expect(try records([], .none, chunk: 1).isEmpty)
    }

    @Test func recordIOFrames() throws {
        func frame(_ payload: [UInt8]) -> [UInt8] {
            var out: [UInt8] = [0x0A, 0x23, 0xD7, 0xCE]
            let n = UInt32(payload.count)
            out += [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)]
            out += payload
            while out.count % 4 != 0 { out.append(0) }
            return out
        }
        let stream = frame([1, 2, 3]) + frame([4, 5, 6, 7, 8])
        for chunk in [1, 3, 100] {
            var reader = RecordReader(source: BytesChunkSource(stream, chunkSize: chunk), split: .recordIO, maxRecordBytes: 1 << 20)
            var got: [[UInt8]] = []
            while try reader.next({ r, _ in got.append(Array(r)) }) {}
            #expect(got == [frame([1, 2, 3]), frame([4, 5, 6, 7, 8])])
        }
        #expect(throws: RecordError.self) { try records(Array("not recordio".utf8), .recordIO, chunk: 4) }
    }
}

@Suite struct MiniBatchTests {
    @Test func multiRecordRespectsMaxPayload() throws {
        var b = MiniBatcher(multiRecord: true, maxPayloadBytes: 10, lineSeparated: true, processor: nil)
        var batches: [MiniBatch] = []
        for (i, r) in ["1,2", "3,4", "5,6", "7"].enumerated() {
            if let done = try b.add(Array(r.utf8)[...], number: i + 1) { batches.append(done) }
        }
        if let last = b.flush() { batches.append(last) }
        #expect(batches.map { String(decoding: $0.payload, as: UTF8.self) } == ["1,2\n3,4\n", "5,6\n7\n"])
        #expect(batches.map(\.recordNumbers) == [[1, 2], [3, 4]])
        #expect(batches.allSatisfy { $0.payload.count <= 10 })
    }

    @Test func singleRecord() throws {
        var b = MiniBatcher(multiRecord: false, maxPayloadBytes: 100, lineSeparated: true, processor: nil)
        let done = try b.add(Array("1".utf8)[...], number: 1)
        #expect(done?.count == 1)
        let rest = b.flush()
        #expect(rest == nil)
    }
}

@Suite struct TransformEngineTests {
    let rows = (1...50).map { "\($0),\($0 * 2)" }.joined(separator: "\n") + "\n"
    var expected: String { (1...50).map { "\(Double($0 * 3))" }.joined(separator: "\n") + "\n" }

    @Test func sameOutputWhateverTheBatching() throws {
        for p in [plan(multi: true, payload: 20, concurrency: 3), plan(multi: false, concurrency: 1), plan(multi: true, payload: 1 << 20, concurrency: 4),
                  plan(multi: false, lines: false)] {
            #expect(try run(rows, p) == expected)
        }
    }

    @Test func miniBatchesAreBounded() throws {
        let model = SumModel()
        _ = try run(rows, plan(multi: true, payload: 64, concurrency: 2), model: model)
        let sizes = model.calls.withLock { $0 }
        #expect(sizes.allSatisfy { $0 <= 64 })
        #expect(sizes.count >= 5)
    }

    @Test func assembleLineAddsMissingNewlines() throws {
        struct NoNewline: ServableModel {
            func invoke(_ body: [UInt8], contentType: String?, accept: String?) throws -> (body: [UInt8], contentType: String) { (Array("x".utf8), "text/csv") }
        }
        var sink = MemorySink()
        _ = try TransformEngine(model: NoNewline(), plan: plan(multi: false)).run(source: BytesChunkSource(Array("1\n2\n".utf8)), uri: "u", into: &sink)
        #expect(String(decoding: sink.bytes, as: UTF8.self) == "x\nx\n")
        var raw = MemorySink()
        _ = try TransformEngine(model: NoNewline(), plan: plan(multi: false, lines: false)).run(source: BytesChunkSource(Array("1\n2\n".utf8)), uri: "u", into: &raw)
        #expect(String(decoding: raw.bytes, as: UTF8.self) == "xx")
    }

    @Test func filtersAndJoin() throws {
        let text = "a,1,2\nb,3,4\n"
        #expect(try run(text, plan(input: "$[1:]", join: true)) == "a,1,2,3.0\nb,3,4,7.0\n")
        #expect(try run(text, plan(input: "$[1:]", output: "$[0,-1]", join: true)) == "a,3.0\nb,7.0\n")
        #expect(try run(text, plan(multi: false, input: "$[1:]", output: "$[0,-1]", join: true)) == "a,3.0\nb,7.0\n")
        #expect(try run("1,2\n", plan(output: "$[0]")) == "3.0\n")
    }

    @Test func badRowNamesObjectAndLine() throws {
        let text = "1,2\n3,4\n\n5,oops\n6,7\n"
        for p in [plan(multi: true), plan(multi: false)] {
            do {
                _ = try run(text, p)
                Issue.record("expected a failure")
            } catch let e as TransformEngine.Failure {
                #expect(e.description.hasPrefix("s3://b/in.csv, line 4: "), "\(e.description)")
                #expect(e.description.contains("oops"))
            }
        }
    }

    @Test func inputFilterOutOfRangeNamesTheLine() throws {
        do {
            _ = try run("1,2,3\n1\n", plan(input: "$[2]"))
            Issue.record("expected a failure")
        } catch let e as TransformEngine.Failure {
            #expect(e.description.hasPrefix("s3://b/in.csv, line 2: InputFilter"), "\(e.description)")
        }
    }

    @Test func gzipInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-bt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let plainPath = dir.appendingPathComponent("in.csv").path
        try Data(rows.utf8).write(to: URL(fileURLWithPath: plainPath))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", plainPath]
        try gzip.run()
        gzip.waitUntilExit()
        var sink = MemorySink()
        _ = try TransformEngine(model: SumModel(), plan: plan()).run(source: try FileChunkSource(path: plainPath + ".gz", gzip: true), uri: "u", into: &sink)
        #expect(String(decoding: sink.bytes, as: UTF8.self) == expected)
        var bad = MemorySink()
        #expect(throws: TransformEngine.Failure.self) {
            _ = try TransformEngine(model: SumModel(), plan: plan()).run(source: try FileChunkSource(path: plainPath, gzip: true), uri: "u", into: &bad)
        }
    }
}
