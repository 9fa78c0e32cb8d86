import Foundation
import SageMakerShapes

/// A training job's statuses as SageMaker moves them, applied to its description. A value type with no I/O,
/// so the transitions are tested without running anything.
///
/// Primary: InProgress → Completed | Failed | Stopping → Stopped.
/// Secondary: Starting → Downloading → Training → Uploading → Completed, with Failed, Stopping, Stopped,
/// MaxRuntimeExceeded; every change of secondary status (or of its message) is a transition with times.
struct TrainingJobLifecycle {
    var job: DescribeTrainingJobResponse

    static let terminal: Set<String> = ["Completed", "Failed", "Stopped"]

    var status: String { job.trainingJobStatus ?? "InProgress" }
    var isTerminal: Bool { Self.terminal.contains(status) }

    /// Moves to a secondary status (closing the previous transition) unless the job already ended.
    mutating func advance(_ secondary: String, _ message: String, at now: Date = Date()) {
        guard !isTerminal else { return }
        var transitions = job.secondaryStatusTransitions ?? []
        if let last = transitions.last, last.status == secondary, last.statusMessage == message { return }
        if !transitions.isEmpty { transitions[transitions.count - 1].endTime = now }
        transitions.append(SecondaryStatusTransition(status: secondary, startTime: now, statusMessage: message))
        job.secondaryStatusTransitions = transitions
        job.secondaryStatus = secondary
        job.lastModifiedTime = now
        if secondary == "Training" && job.trainingStartTime == nil { job.trainingStartTime = now }
    }

    mutating func requestStop(at now: Date = Date()) {
        guard status == "InProgress" else { return }
        job.trainingJobStatus = "Stopping"
        advance("Stopping", "Stopping the training job", at: now)
        job.trainingJobStatus = "Stopping"
    }

    mutating func complete(at now: Date = Date()) { finish("Completed", secondary: "Completed", "Training job completed", at: now) }

    mutating func fail(_ reason: String, at now: Date = Date()) {
        job.failureReason = String(reason.prefix(1024))
        finish("Failed", secondary: "Failed", "Training job failed", at: now)
    }

    mutating func stopped(maxRuntimeExceeded: Bool = false, at now: Date = Date()) {
        if maxRuntimeExceeded {
            finish("Stopped", secondary: "MaxRuntimeExceeded", "Job stopped because it exceeded MaxRuntimeInSeconds", at: now)
        } else {
            finish("Stopped", secondary: "Stopped", "The job was stopped", at: now)
        }
    }

    private mutating func finish(_ primary: String, secondary: String, _ message: String, at now: Date) {
        guard !isTerminal else { return }
        advance(secondary, message, at: now)
        if var transitions = job.secondaryStatusTransitions, !transitions.isEmpty {
            transitions[transitions.count - 1].endTime = now
            job.secondaryStatusTransitions = transitions
        }
        job.trainingJobStatus = primary
        job.trainingEndTime = now
        let started = job.trainingStartTime ?? job.creationTime ?? now
        let seconds = max(1, Int(now.timeIntervalSince(started).rounded(.up)))
        job.trainingTimeInSeconds = seconds
        job.billableTimeInSeconds = seconds
        job.lastModifiedTime = now
    }
}
