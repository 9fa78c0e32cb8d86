// libFuzzer target for the Parquet reader (see Sources/ParquetFuzz/README.md for how to build and run it).
// In a normal build this is a plain executable that reads files given as arguments through the same code path,
// which is also how crash inputs are replayed.
import Parquet

#if os(Linux)
import Glibc
#endif

/// Reads every column of every row group of `bytes` with tight limits; errors are expected, crashes are bugs.
func exercise(_ bytes: [UInt8]) {
    var options = ReaderOptions()
    options.maxPageBytes = 1 << 22
    options.maxValuesPerPage = 1 << 20
    guard let reader = try? ParquetFileReader(bytes: bytes, options: options) else { return }
    for g in 0..<min(reader.rowGroupCount, 64) {
        _ = try? reader.readDenseMatrix(rowGroup: g)
        for c in 0..<min(reader.columns.count, 256) {
            if let col = try? reader.readColumn(rowGroup: g, column: c) {
                _ = try? col.numericValues()
                if col.descriptor.maxRepetitionLevel == 1 { _ = try? col.listValues() }
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    exercise(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

#if KILN_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ cb: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// SwiftPM links an executable's entry point as `<Target>_main`; hand control to libFuzzer's driver.
@_cdecl("ParquetFuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var c = argc
    var v = argv
    return LLVMFuzzerRunDriver(&c, &v, fuzzOne)
}
#else
@main
struct ReplayInputs {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let f = fopen(path, "rb") else { continue }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = fread(&buf, 1, buf.count, f)
                if n <= 0 { break }
                bytes += buf[0..<n]
            }
            fclose(f)
            exercise(bytes)
            print("ok \(path)")
        }
    }
}
#endif
