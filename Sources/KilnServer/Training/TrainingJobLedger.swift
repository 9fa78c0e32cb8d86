import Foundation
import Metadata
import SageMakerShapes

/// The one writer of training-job state: every change (runner progress, Stop, tags) goes through `mutate`,
/// so concurrent updates of a job never overwrite each other.
actor TrainingJobLedger {
    let store: any TrainingJobRepository

    init(store: any TrainingJobRepository) { self.store = store }

    @discardableResult
    func mutate(accountId: String, region: String, name: String, _ change: @Sendable (inout StoredTrainingJob) throws -> Void) async throws -> StoredTrainingJob {
        guard let record = try await store.trainingJob(accountId: accountId, region: region, name: name) else {
            throw TrainingJobService.notFound()
        }
        var job = try StoredTrainingJob(record)
        try change(&job)
        try await store.updateTrainingJob(try job.record(accountId: accountId, region: region))
        return job
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
