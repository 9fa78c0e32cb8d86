import Foundation
import SageMakerShapes
import Testing
@testable import KilnServer

@Suite struct TransformJobLifecycleTests {
    func fresh() -> TransformJobLifecycle {
        var d = DescribeTransformJobResponse()
        d.transformJobName = "job"
        d.transformJobStatus = "InProgress"
        d.creationTime = Date(timeIntervalSince1970: 100)
        return TransformJobLifecycle(job: StoredTransformJob(description: d, tags: [], at: Date(timeIntervalSince1970: 100)))
    }

    @Test func completes() {
        var life = fresh()
        life.started(at: Date(timeIntervalSince1970: 101))
        life.complete(at: Date(timeIntervalSince1970: 105))
        #expect(life.status == "Completed")
        #expect(life.job.description.transformStartTime == Date(timeIntervalSince1970: 101))
        #expect(life.job.description.transformEndTime == Date(timeIntervalSince1970: 105))
        #expect(life.job.lastModifiedTime == Date(timeIntervalSince1970: 105))
        #expect(life.job.summary.transformJobStatus == "Completed")
    }

    @Test func failureKeepsReasonAndIsFinal() {
        var life = fresh()
        life.fail("ClientError: s3://b/k, line 3: bad")
        #expect(life.status == "Failed")
        #expect(life.job.description.failureReason == "ClientError: s3://b/k, line 3: bad")
        life.complete()
        #expect(life.status == "Failed")
        let stoppable = life.requestStop()
        #expect(!stoppable)
    }

    @Test func stopGoesThroughStopping() {
        var life = fresh()
        let first = life.requestStop()
        #expect(first)
        #expect(life.status == "Stopping")
        #expect(life.job.stopRequested)
        let second = life.requestStop()  // a second Stop is accepted
        #expect(second)
        life.stopped()
        #expect(life.status == "Stopped")
        #expect(life.job.description.transformEndTime != nil)
        let third = life.requestStop()
        #expect(!third)
    }

    @Test func longReasonsAreCut() {
        var life = fresh()
        life.fail(String(repeating: "x", count: 5000))
        #expect(life.job.description.failureReason?.count == 1024)
    }
}
