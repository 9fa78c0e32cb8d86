// libFuzzer target for the Parquet reader. Build and run (see Sources/ParquetFuzz/README.md):
//   swift build -c debug --product ParquetFuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
import Parquet

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var options = ReaderOptions()
    options.maxPageBytes = 1 << 22
    options.maxValuesPerPage = 1 << 20
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let reader = try? ParquetFileReader(bytes: bytes, options: options) else { return 0 }
    for g in 0..<reader.rowGroupCount {
        for c in 0..<reader.columns.count {
            if let col = try? reader.readColumn(rowGroup: g, column: c) {
                _ = try? col.numericValues()
                if col.descriptor.maxRepetitionLevel == 1 { _ = try? col.listValues() }
            }
        }
    }
    return 0
}
