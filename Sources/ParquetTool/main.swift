// parquet-tool: a small command line over the Parquet module, used by the interop tests and the benchmark.
//   parquet-tool dump FILE                 footer summary and the first rows, as JSON lines
//   parquet-tool write-sample OUT.parquet  a file with every writable type, nulls and 3 row groups
//   parquet-tool bench-read FILE [N]       N timed reads of FILE into a dense Float32 matrix (prints seconds)
//   parquet-tool bench-write FILE OUT [N]  reads FILE once, then N timed writes of its float columns to OUT
import Foundation
import Parquet

func fail(_ m: String) -> Never {
    FileHandle.standardError.write(Data((m + "\n").utf8))
    exit(1)
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

let args = CommandLine.arguments
guard args.count >= 3 else { fail("usage: parquet-tool dump|dense|write-sample|bench-read|bench-write ...") }

do {
    switch args[1] {
    case "dump":
        let r = try ParquetFileReader(path: args[2])
        print("{\"rows\": \(r.rowCount), \"row_groups\": \(r.rowGroupCount), \"created_by\": \"\(r.metadata.createdBy ?? "")\"}")
        for c in r.columns {
            print("{\"column\": \"\(c.dottedPath)\", \"type\": \"\(c.physicalType)\", \"logical\": \"\(c.logicalType.map { "\($0)" } ?? "")\", \"max_def\": \(c.maxDefinitionLevel), \"max_rep\": \(c.maxRepetitionLevel)}")
        }
        for g in 0..<r.rowGroupCount {
            let data = try r.readRowGroup(g)
            for col in data.columns {
                print("{\"row_group\": \(g), \"column\": \"\(col.descriptor.dottedPath)\", \"values\": \(col.values.count), \"nulls\": \(col.nullCount)}")
            }
        }
    case "dense":
        // Every row group as a dense Float32 matrix (NaN for missing), one JSON object per row group.
        let r = try ParquetFileReader(path: args[2])
        let columns = args.count > 3 ? args[3].split(separator: ",").map(String.init) : nil
        for g in 0..<r.rowGroupCount {
            let m = try r.readDenseMatrix(rowGroup: g, columns: columns)
            let rows = (0..<m.rows).map { i in
                "[" + (0..<m.columns).map { j -> String in
                    let v = m.values[i * m.columns + j]
                    return v.isNaN ? "null" : "\(v)"
                }.joined(separator: ",") + "]"
            }
            print("{\"columns\": [\(m.columnNames.map { "\"\($0)\"" }.joined(separator: ","))], \"rows\": [\(rows.joined(separator: ","))]}")
        }
    case "write-sample":
        var fields = [
            ParquetField("id", .int64, nullable: false),
            ParquetField("i32", .int32),
            ParquetField("flag", .boolean),
            ParquetField("x", .float),
            ParquetField("y", .double, nullable: false),
            ParquetField("name", .string),
            ParquetField("blob", .binary),
            ParquetField("day", .date),
            ParquetField("ts", .timestamp(.micros, isAdjustedToUTC: true)),
            ParquetField("vec", .floatList),
            ParquetField("vecd", .doubleList, nullable: false),
        ]
        var options = WriterOptions()
        if args.count >= 4 { options.compression = args[3] == "gzip" ? .gzip : args[3] == "zstd" ? .zstd : args[3] == "none" ? .uncompressed : .snappy }
        options.dataPageSize = 512
        let w = try ParquetWriter(path: args[2], fields: fields, options: options)
        fields.removeAll()
        var id: Int64 = 0
        for g in 0..<3 {
            let n = 100 + 50 * g
            let rows = (0..<n).map { Int64($0) + id }
            let valid = rows.map { $0 % 7 != 3 }
            try w.writeRowGroup([
                ColumnInput(.int64(rows)),
                ColumnInput(.int32(rows.map { Int32(truncatingIfNeeded: $0 &* 2_654_435_761) }), validity: valid),
                ColumnInput(.boolean(rows.map { $0 % 3 == 0 }), validity: rows.map { $0 % 5 != 1 }),
                ColumnInput(.float(rows.map { Float($0) * 0.25 - 10 }), validity: valid),
                ColumnInput(.double(rows.map { sin(Double($0)) * 1e6 })),
                ColumnInput(.string(rows.map { "name-\($0 % 13)-é" }), validity: valid),
                ColumnInput(.binary(rows.map { [UInt8(truncatingIfNeeded: $0), 0, 255] }), validity: rows.map { $0 % 4 != 0 }),
                ColumnInput(.int32(rows.map { Int32(19000 + $0) }), validity: valid),
                ColumnInput(.int64(rows.map { 1_700_000_000_000_000 + $0 * 1_000_003 }), validity: valid),
                ColumnInput(.floatList(rows.map { r in (0..<Int(r % 4)).map { Float(r) + Float($0) / 8 } }), validity: rows.map { $0 % 9 != 2 }),
                ColumnInput(.doubleList(rows.map { r in (0..<3).map { Double(r) * 0.5 + Double($0) } })),
            ])
            id += Int64(n)
        }
        try w.close()
    case "bench-read":
        let reps = args.count >= 4 ? Int(args[3])! : 1
        for _ in 0..<reps {
            let t0 = now()
            let r = try ParquetFileReader(path: args[2])
            var cells = 0
            for g in 0..<r.rowGroupCount {
                let m = try r.readDenseMatrix(rowGroup: g)
                cells += m.values.count
            }
            print(String(format: "%.4f", now() - t0), cells)
        }
    case "bench-write":
        let r = try ParquetFileReader(path: args[2])
        let reps = args.count >= 5 ? Int(args[4])! : 1
        var columns: [[Float]] = []
        for g in 0..<r.rowGroupCount {
            let data = try r.readRowGroup(g)
            for (i, col) in data.columns.enumerated() {
                guard case .float(let v) = col.values else { fail("bench-write wants FLOAT columns") }
                if g == 0 { columns.append(v) } else { columns[i] += v }
            }
        }
        let fields = r.columns.map { ParquetField($0.name, .float) }
        for _ in 0..<reps {
            let t0 = now()
            let w = try ParquetWriter(path: args[3], fields: fields)
            try w.writeRowGroup(columns.map { ColumnInput(.float($0)) })
            try w.close()
            print(String(format: "%.4f", now() - t0))
        }
    default:
        fail("unknown command \(args[1])")
    }
} catch {
    fail("parquet-tool: \(error)")
}
