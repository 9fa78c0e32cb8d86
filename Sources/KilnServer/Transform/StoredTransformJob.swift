import Foundation
import SageMakerShapes

/// What Kiln keeps of a transform job (a `transform-job` document in the resources table): its description as
/// DescribeTransformJob returns it, the time it last changed (ListTransformJobs reports it), its tags, and
/// whether a Stop arrived.
struct StoredTransformJob: Codable, Sendable {
    var description: DescribeTransformJobResponse
    var lastModifiedTime: Date
    var tags: [Tag]
    var stopRequested: Bool

    var name: String { description.transformJobName ?? "" }

    init(description: DescribeTransformJobResponse, tags: [Tag], at now: Date) {
        self.description = description
        self.tags = tags
        lastModifiedTime = now
        stopRequested = false
    }

    var summary: TransformJobSummary {
        let d = description
        return TransformJobSummary(transformJobName: d.transformJobName, transformJobArn: d.transformJobArn, creationTime: d.creationTime,
                                   transformEndTime: d.transformEndTime, lastModifiedTime: lastModifiedTime,
                                   transformJobStatus: d.transformJobStatus, failureReason: d.failureReason)
    }
}
