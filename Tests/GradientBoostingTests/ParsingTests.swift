import DecimalText
import Testing
@testable import GradientBoosting

@Test func csvParsesLabelsFeaturesAndMissing() throws {
    let text = "1,0.5,,3e2\n0,-1.25,2,4\n\n1,7,8,9\r\n"
    let d = try CSVParser.parse(bytes: Array(text.utf8), fileName: "t.csv")
    #expect(d.labels == [1, 0, 1])
    #expect(d.features.rows == 3 && d.features.cols == 3)
    #expect(d.features[0, 0] == 0.5)
    #expect(d.features[0, 1].isNaN)
    #expect(d.features[0, 2] == 300)
    #expect(d.features[1, 0] == -1.25)
    #expect(d.features[2, 2] == 9)
}

@Test func csvReportsFileAndLine() {
    let text = "1,2,3\n0,2,3\n1,x,3\n"
    #expect(throws: DataError.self) { try CSVParser.parse(bytes: Array(text.utf8), fileName: "bad.csv") }
    do {
        _ = try CSVParser.parse(bytes: Array(text.utf8), fileName: "bad.csv")
    } catch let e as DataError {
        #expect(e.file == "bad.csv")
        #expect(e.line == 3)
    } catch {}
    do {
        _ = try CSVParser.parse(bytes: Array("1,2,3\n0,2\n".utf8), fileName: "short.csv")
    } catch let e as DataError {
        #expect(e.line == 2)
        #expect(e.description.contains("short.csv:2"))
    } catch {}
}

@Test func csvWeightsColumn() throws {
    let d = try CSVParser.parse(bytes: Array("1,0.5,3\n0,2,4\n".utf8), fileName: "w.csv",
                                options: .init(hasLabel: true, hasWeights: true))
    #expect(d.weights == [0.5, 2])
    #expect(d.features.cols == 1)
}

@Test func csvParallelChunksMatchSequential() throws {
    var text = ""
    for i in 0..<50_000 { text += "\(i % 2),\(Double(i) * 0.25),\(i % 7 == 0 ? "" : String(i % 13))\n" }
    let a = try CSVParser.parse(bytes: Array(text.utf8), fileName: "p.csv", options: .init(threads: 4))
    let b = try CSVParser.parse(bytes: Array(text.utf8), fileName: "p.csv", options: .init(threads: 1))
    #expect(a.features.rows == 50_000)
    #expect(a.labels == b.labels)
    #expect(zip(a.features.values, b.features.values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
    #expect(a.features[12345, 0] == Float(12345.0 * 0.25))
}

@Test func libsvmParsesSparseRows() throws {
    let d = try LibSVMParser.parse(bytes: Array("1 0:1.5 3:2\n0:2 1:-1\n".utf8), fileName: "t.libsvm")
    #expect(d.labels == [1, 0])
    #expect(d.weights == [1, 2])
    #expect(d.matrix.cols == 4)
    let dense = d.matrix.densified()
    #expect(dense[0, 0] == 1.5 && dense[0, 1].isNaN && dense[0, 3] == 2)
    #expect(dense[1, 1] == -1)
    #expect(throws: DataError.self) { try LibSVMParser.parse(bytes: Array("1 0:1\n1 a:b\n".utf8), fileName: "x") }
}

@Test func decimalParser() {
    for s in ["0", "-0.5", "1e-5", "123456.789", "3.4028235e38", "+7", " 2.5 ", "1.0000000000000000001", "nan"] {
        let bytes = Array(s.utf8)
        let v = bytes.withUnsafeBufferPointer { parseDecimal($0.baseAddress!, 0, $0.count) }
        if s == "nan" { #expect(v?.isNaN == true) } else { #expect(v == Double(s.trimmingSpaces)) }
    }
    let bad = Array("1.2.3".utf8)
    #expect(bad.withUnsafeBufferPointer { parseDecimal($0.baseAddress!, 0, $0.count) } == nil)
}
