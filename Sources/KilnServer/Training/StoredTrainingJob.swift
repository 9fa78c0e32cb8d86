import Foundation
import Metadata
import SageMakerShapes

/// What Kiln keeps of a training job: its description as DescribeTrainingJob returns it, its tags, and which
/// native algorithm runs it.
struct StoredTrainingJob: Codable, Sendable {
    var description: DescribeTrainingJobResponse
    var tags: [Tag]
    var algorithm: String
    /// Whether a Stop arrived (the runner polls this between steps).
    var stopRequested: Bool

    var name: String { description.trainingJobName ?? "" }

    func record(accountId: String, region: String) throws -> TrainingJobRecord {
        let now = Date()
        return TrainingJobRecord(accountId: accountId, region: region, name: name, status: description.trainingJobStatus ?? "InProgress",
                                 creationTime: description.creationTime ?? now, lastModifiedTime: description.lastModifiedTime ?? now,
                                 document: try encodeShape(self))
    }

    init(description: DescribeTrainingJobResponse, tags: [Tag], algorithm: String) {
        self.description = description
        self.tags = tags
        self.algorithm = algorithm
        stopRequested = false
    }

    init(_ record: TrainingJobRecord) throws {
        self = try decodeShape(StoredTrainingJob.self, from: record.document)
    }
}
