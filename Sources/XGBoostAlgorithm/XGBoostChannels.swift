import Foundation
import GradientBoosting
import RecordIO
import TrainingRuntime
import TrainingWorker

/// Reads SageMaker XGBoost's training channels: content type from inputdataconfig.json (libsvm when absent),
/// File mode (every file up to three folders deep, hidden files refused) or Pipe mode (the channel's FIFO).
enum XGBoostChannels {
    enum Format: Equatable { case csv, libsvm, recordio, parquet }

    static let accepted = "csv, libsvm, parquet, recordio-protobuf, text/csv, text/libsvm, text/x-libsvm, application/x-parquet, application/x-recordio-protobuf"

    static func format(_ contentType: String?) throws -> Format {
        let raw = contentType ?? "text/libsvm"
        let parts = raw.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let mime = parts.first?.lowercased() ?? ""
        switch mime {
        case "text/csv", "csv":
            for p in parts.dropFirst() where p.lowercased().hasPrefix("label_size") && p.split(separator: "=").last.map(String.init) != "1" {
                throw AlgorithmError("ClientError: label_size must be 1 for csv content type, got '\(p)'")
            }
            return .csv
        case "text/libsvm", "text/x-libsvm", "libsvm": return .libsvm
        case "application/x-recordio-protobuf", "recordio-protobuf": return .recordio
        case "application/x-parquet", "parquet": return .parquet
        default:
            throw AlgorithmError("ClientError: \(raw) is not an accepted ContentType: \(accepted).")
        }
    }

    /// The files of a channel in File mode (sorted; up to three levels below the channel folder).
    static func files(_ workspace: Workspace, channel: String) throws -> [URL] {
        let root = workspace.channelDir(channel).standardizedFileURL.path
        var out: [URL] = []
        for url in workspace.files(inChannel: channel) {
            let rel = String(url.standardizedFileURL.path.dropFirst(root.count + 1))
            let parts = rel.split(separator: "/")
            if parts.contains(where: { $0.hasPrefix(".") }) {
                throw AlgorithmError("ClientError: Hidden file found in the data path! Remove that before training. (\(channel)/\(rel))")
            }
            if parts.count <= 4 { out.append(url) }
        }
        return out
    }

    /// Loads one channel as labelled data; data errors name the file and line.
    static func load(_ workspace: Workspace, channel: String, mode: String, format: Format, params: Hyperparameters,
                     minColumns: Int = 0) throws -> LabeledData {
        var pieces: [LabeledData] = []
        if mode == "Pipe" {
            if format == .libsvm { throw AlgorithmError("ClientError: Pipe mode not supported for LibSVM.") }
            let fifo = workspace.dataDir.appendingPathComponent("\(channel)_0").path
            guard let handle = FileHandle(forReadingAtPath: fifo) else { throw AlgorithmError("ClientError: cannot open the \(channel) pipe") }
            let bytes = Array(handle.readDataToEndOfFile())
            try? handle.close()
            pieces.append(try parse(bytes, name: "\(channel)_0", format: format, params: params))
        } else {
            let files = try files(workspace, channel: channel)
            guard !files.isEmpty else { throw AlgorithmError("ClientError: the \(channel) channel has no data files") }
            for file in files {
                let bytes = Array(try Data(contentsOf: file))
                let name = String(file.path.dropFirst(workspace.dataDir.path.count + 1))
                pieces.append(try parse(bytes, name: name, format: format, params: params))
            }
        }
        let data = concatenate(pieces, minColumns: minColumns)
        guard !data.labels.isEmpty else { throw AlgorithmError("ClientError: the \(channel) channel has no rows") }
        return data
    }

    static func parse(_ bytes: [UInt8], name: String, format: Format, params: Hyperparameters) throws -> LabeledData {
        do {
            switch format {
            case .csv:
                return try CSVParser.parse(bytes: bytes, fileName: name,
                                           options: .init(hasLabel: true, hasWeights: params.csvWeights, threads: params.nthread))
            case .libsvm:
                let p = try LibSVMParser.parse(bytes: bytes, fileName: name, hasLabel: true)
                return LabeledData(features: p.matrix.densified(cols: p.matrix.cols), labels: p.labels, weights: p.weights,
                                   groups: try p.groups(file: name))
            case .recordio:
                return try recordio(bytes, name: name)
            case .parquet:
                return try parquet(bytes, name: name)
            }
        } catch let e as DataError {
            throw AlgorithmError("ClientError: Unable to read data file \(e.file), line \(e.line): \(e.message)")
        }
    }

    /// RecordIO-protobuf: `features["values"]` (dense or sparse) and `label["values"]` per record.
    static func recordio(_ bytes: [UInt8], name: String) throws -> LabeledData {
        let records: [AmazonRecord]
        do { records = try RecordIOStream.records(bytes) } catch { throw AlgorithmError("ClientError: \(name): \(error)") }
        var width = 0
        for r in records {
            guard let f = r.features["values"] else { continue }
            width = max(width, f.keys.isEmpty ? f.floatValues.count : Int(f.shape.first ?? 0))
        }
        var values: [Float] = []
        values.reserveCapacity(records.count * width)
        var labels: [Float] = []
        for (i, r) in records.enumerated() {
            guard let label = r.label["values"]?.floatValues.first else {
                throw AlgorithmError("ClientError: \(name): record \(i + 1) has no label[\"values\"]")
            }
            do { values += try (r.features["values"] ?? .dense([])).denseRow(width: width) } catch {
                throw AlgorithmError("ClientError: \(name): record \(i + 1): \(error)")
            }
            labels.append(label)
        }
        return LabeledData(features: DataMatrix(rows: records.count, cols: width, values: values), labels: labels)
    }

    static func concatenate(_ pieces: [LabeledData], minColumns: Int) -> LabeledData {
        let cols = max(minColumns, pieces.map(\.features.cols).max() ?? 0)
        if pieces.count == 1, pieces[0].features.cols == cols { return pieces[0] }
        var values: [Float] = []
        var labels: [Float] = []
        var weights: [Float]? = pieces.allSatisfy { $0.weights != nil } ? [] : nil
        // query groups: each file's groups follow the previous file's (a query does not span files)
        var groups: [Int]? = pieces.allSatisfy { $0.groups != nil } ? [0] : nil
        for p in pieces {
            let m = p.features.cols == cols ? p.features : p.features.resized(cols: cols)
            if let g = p.groups { let base = labels.count; groups? += g.dropFirst().map { $0 + base } }
            values += m.values
            labels += p.labels
            if let w = p.weights { weights? += w }
        }
        return LabeledData(features: DataMatrix(rows: labels.count, cols: cols, values: values), labels: labels, weights: weights,
                           groups: groups)
    }
}
