import Foundation
import GradientBoosting
import Parquet
import TrainingWorker

extension XGBoostChannels {
    /// Parquet: column 0 is the label, the other columns the features (lists expand), read row group by row group.
    static func parquet(_ bytes: [UInt8], name: String) throws -> LabeledData {
        do {
            let reader = try ParquetFileReader(source: MemorySource(bytes))
            var values: [Float] = []
            var labels: [Float] = []
            var cols = -1
            for g in 0..<reader.rowGroupCount {
                let m = try reader.readDenseMatrix(rowGroup: g)
                guard m.columns >= 2 else { throw AlgorithmError("ClientError: \(name): a parquet training file needs a label column and at least one feature column") }
                if cols < 0 { cols = m.columns - 1 }
                guard m.columns - 1 == cols else { throw AlgorithmError("ClientError: \(name): row group \(g) has \(m.columns) columns, expected \(cols + 1)") }
                values.reserveCapacity(values.count + m.rows * cols)
                for r in 0..<m.rows {
                    let row = m.values[(r * m.columns)..<((r + 1) * m.columns)]
                    labels.append(row.first!)
                    values += row.dropFirst()
                }
            }
            return LabeledData(features: DataMatrix(rows: labels.count, cols: max(cols, 0), values: values), labels: labels)
        } catch let e as AlgorithmError {
            throw e
        } catch {
            throw AlgorithmError("ClientError: \(name): \(error)")
        }
    }
}
