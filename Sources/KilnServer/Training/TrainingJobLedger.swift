import Foundation
import Metadata
import SageMakerShapes

/// The one way training-job state changes: every change (runner progress, Stop, tags) is a read-modify-write in
/// a single metadata transaction, so concurrent updates of a job never overwrite each other.
struct TrainingJobLedger: Sendable {
    let store: any TrainingJobRepository

    @discardableResult
    func mutate(accountId: String, region: String, name: String, _ change: @escaping @Sendable (inout StoredTrainingJob) throws -> Void) async throws -> StoredTrainingJob {
        do {
            let record = try await store.mutateTrainingJob(accountId: accountId, region: region, name: name) { record in
                var job = try StoredTrainingJob(record)
                try change(&job)
                return try job.record(accountId: accountId, region: region)
            }
            return try StoredTrainingJob(record)
        } catch MetadataError.notFound {
            throw TrainingJobService.notFound()
        }
    }

    func read(accountId: String, region: String, name: String) async throws -> StoredTrainingJob {
        guard let record = try await store.trainingJob(accountId: accountId, region: region, name: name) else {
            throw TrainingJobService.notFound()
        }
        return try StoredTrainingJob(record)
    }
}

/// A counting semaphore for training slots: jobs beyond the machine's capacity wait their turn.
actor TrainingSlots {
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = max(1, count) }

    /// Takes a slot if one is free right now.
    func tryAcquire() -> Bool {
        guard free > 0 else { return false }
        free -= 1
        return true
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            free += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
