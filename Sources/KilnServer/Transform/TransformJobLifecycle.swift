import Foundation
import SageMakerShapes

/// A transform job's statuses as SageMaker moves them, applied to its stored form. A value type with no I/O,
/// so the transitions are tested without running anything.
///
/// InProgress → Completed | Failed | Stopping → Stopped (a stop that arrives before the worker starts ends the
/// job Stopped at once). Terminal statuses never change again.
struct TransformJobLifecycle {
    var job: StoredTransformJob

    static let terminal: Set<String> = ["Completed", "Failed", "Stopped"]

    var status: String { job.description.transformJobStatus ?? "InProgress" }
    var isTerminal: Bool { Self.terminal.contains(status) }

    /// The worker started transforming.
    mutating func started(at now: Date = Date()) {
        guard status == "InProgress", job.description.transformStartTime == nil else { return }
        job.description.transformStartTime = now
        job.lastModifiedTime = now
    }

    /// Stop asked for: InProgress becomes Stopping; Stopping stays; a finished job cannot be stopped.
    /// Returns false when the job already ended.
    @discardableResult
    mutating func requestStop(at now: Date = Date()) -> Bool {
        switch status {
        case "InProgress":
            job.description.transformJobStatus = "Stopping"
            job.stopRequested = true
            job.lastModifiedTime = now
            return true
        case "Stopping": return true
        default: return false
        }
    }

    mutating func complete(at now: Date = Date()) { finish("Completed", at: now) }

    mutating func fail(_ reason: String, at now: Date = Date()) {
        guard !isTerminal else { return }
        job.description.failureReason = String(reason.prefix(1024))
        finish("Failed", at: now)
    }

    mutating func stopped(at now: Date = Date()) { finish("Stopped", at: now) }

    private mutating func finish(_ terminal: String, at now: Date) {
        guard !isTerminal else { return }
        job.description.transformJobStatus = terminal
        if job.description.transformStartTime == nil { job.description.transformStartTime = now }
        job.description.transformEndTime = now
        job.lastModifiedTime = now
    }
}
