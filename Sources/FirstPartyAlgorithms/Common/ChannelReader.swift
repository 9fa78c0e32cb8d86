import Foundation
import RecordIO
import TrainingRuntime
import TrainingWorker

/// Reads a first-party training channel into memory: RecordIO-protobuf (the default when the channel names no
/// content type, as the SDK's `record_set` and Spark never do) or dense CSV (`text/csv;label_size=N`), in File
/// mode (every file of the channel folder, Gzip inflated) or Pipe mode (the channel's FIFO).
final class ChannelReader {
    enum Format: Equatable { case recordio, csv(labelSize: Int) }

    let workspace: Workspace
    let channel: String
    let config: Workspace.ChannelConfig
    /// A pipe can be read once: the sources are read on first use and kept.
    private var cachedSources: [(name: String, bytes: [UInt8])]?

    init(workspace: Workspace, channel: String, config: Workspace.ChannelConfig) {
        (self.workspace, self.channel, self.config) = (workspace, channel, config)
    }

    static let acceptedTypes = "application/x-recordio-protobuf, text/csv (with an optional label_size parameter)"

    /// The channel's format; `defaultLabelSize` applies to CSV without a `label_size` parameter.
    func format(defaultLabelSize: Int) throws -> Format {
        let raw = config.ContentType ?? "application/x-recordio-protobuf"
        let parts = raw.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        switch parts.first?.lowercased() ?? "" {
        case "application/x-recordio-protobuf", "application/x-labeled-vector-protobuf", "protobuf", "recordio-protobuf":
            return .recordio
        case "text/csv", "csv":
            var labelSize = defaultLabelSize
            for p in parts.dropFirst() {
                let kv = p.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard kv.count == 2, kv[0].lowercased() == "label_size" else { continue }
                guard let n = Int(kv[1]), n >= 0 else {
                    throw AlgorithmError("ClientError: label_size in '\(raw)' must be a non-negative integer")
                }
                labelSize = n
            }
            return .csv(labelSize: labelSize)
        default:
            throw AlgorithmError("ClientError: The \(channel) channel's content type '\(raw)' is not supported; use \(Self.acceptedTypes)")
        }
    }

    /// The raw bytes of each data source of the channel, with a name for error messages.
    func sources() throws -> [(name: String, bytes: [UInt8])] {
        if let cachedSources { return cachedSources }
        let read = try readSources()
        cachedSources = read
        return read
    }

    /// Drops the raw bytes once rows are parsed (they can be as large as the rows).
    func releaseSources() { cachedSources = nil }

    private func readSources() throws -> [(name: String, bytes: [UInt8])] {
        if config.TrainingInputMode == "Pipe" {
            let fifo = workspace.dataDir.appendingPathComponent("\(channel)_0").path
            guard let handle = FileHandle(forReadingAtPath: fifo) else { throw AlgorithmError("ClientError: cannot open the \(channel) pipe") }
            defer { try? handle.close() }
            return [("\(channel)_0", Array(handle.readDataToEndOfFile()))]
        }
        let root = workspace.channelDir(channel).standardizedFileURL.path
        var out: [(String, [UInt8])] = []
        for url in workspace.files(inChannel: channel) {
            let name = String(url.standardizedFileURL.path.dropFirst(root.count + 1))
            if name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var bytes = Array(try Data(contentsOf: url))
            if config.CompressionType == "Gzip" || (bytes.count > 2 && bytes[0] == 0x1F && bytes[1] == 0x8B) {
                bytes = try Self.inflate(bytes, name: "\(channel)/\(name)")
            }
            out.append(("\(channel)/\(name)", bytes))
        }
        guard !out.isEmpty else { throw AlgorithmError("ClientError: No data files found in the \(channel) channel") }
        return out
    }

    /// Reads every row. `width` is `feature_dim`; a row of another width fails the job naming the file and row.
    func read(layout: TrainingRows.Layout, width: Int, defaultLabelSize: Int) throws -> TrainingRows {
        let format = try format(defaultLabelSize: defaultLabelSize)
        var rows = TrainingRows(layout: layout, width: width)
        for source in try sources() {
            switch format {
            case .csv(let labelSize):
                do { try CSVRows.read(source.bytes, labelSize: labelSize, into: &rows) } catch {
                    throw AlgorithmError("ClientError: Unable to read data file \(source.name), line \(error.line): \(error.message)")
                }
            case .recordio:
                try readRecordIO(source.bytes, name: source.name, into: &rows)
            }
        }
        guard rows.count > 0 else { throw AlgorithmError("ClientError: The \(channel) channel has no rows") }
        return rows
    }

    private func readRecordIO(_ bytes: [UInt8], name: String, into rows: inout TrainingRows) throws {
        var reader = RecordIOReader(bytes)
        var index = 0
        while true {
            let payload: [UInt8]?
            do { payload = try reader.nextPayload() } catch {
                throw AlgorithmError("ClientError: Unable to read data file \(name), record \(index + 1): \(error)")
            }
            guard let payload else { break }
            index += 1
            let record: AmazonRecord
            do { record = try RecordProtobuf.decode(payload) } catch {
                throw AlgorithmError("ClientError: Unable to read data file \(name), record \(index): \(error)")
            }
            guard let tensor = record.features["values"] else {
                throw AlgorithmError("ClientError: \(name), record \(index): the record has no features[\"values\"] tensor")
            }
            let values = tensor.floatValues
            let label = record.label["values"]?.floatValues.first
            let keys = tensor.keys
            if keys.isEmpty {
                guard values.count == rows.width else {
                    throw AlgorithmError("ClientError: \(name), record \(index): \(values.count) features, expected feature_dim = \(rows.width)")
                }
                values.withUnsafeBufferPointer { rows.append(dense: $0, label: label) }
            } else {
                if let d = tensor.shape.first, d != UInt64(rows.width) {
                    throw AlgorithmError("ClientError: \(name), record \(index): sparse shape \(d), expected feature_dim = \(rows.width)")
                }
                guard keys.count == values.count, keys.allSatisfy({ $0 < UInt64(rows.width) }) else {
                    throw AlgorithmError("ClientError: \(name), record \(index): sparse keys out of range for feature_dim = \(rows.width)")
                }
                rows.append(keys: keys, values: values, label: label)
            }
        }
    }

    /// The feature count of the channel's first row (for `feature_dim=auto`).
    func inferWidth(defaultLabelSize: Int) throws -> Int? {
        guard let first = try sources().first else { return nil }
        switch try format(defaultLabelSize: defaultLabelSize) {
        case .csv(let labelSize): return CSVRows.columnCount(first.bytes).map { $0 - labelSize }
        case .recordio:
            var reader = RecordIOReader(first.bytes)
            guard let p = try? reader.nextPayload(), let record = try? RecordProtobuf.decode(p), let t = record.features["values"] else { return nil }
            return t.keys.isEmpty ? t.floatValues.count : t.shape.first.map { Int($0) }
        }
    }

    static func inflate(_ bytes: [UInt8], name: String) throws -> [UInt8] {
        var out: [UInt8] = []
        do {
            let decoder = try GzipStreamDecoder()
            try bytes.withUnsafeBytes { raw in try decoder.feed(raw) { out.append(contentsOf: $0) } }
            try decoder.finish()
        } catch {
            throw AlgorithmError("ClientError: \(name) is not valid gzip: \(error)")
        }
        return out
    }
}
