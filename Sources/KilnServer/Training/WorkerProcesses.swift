#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The worker processes of running jobs (training and transform), by job key, and the stops asked for them:
/// a stop asked before the worker starts is honoured when it does; Stop is SIGTERM, then SIGKILL after a grace.
final class WorkerProcesses: Sendable {
    /// Grace period between SIGTERM and SIGKILL, as SageMaker gives containers.
    static let stopGraceSeconds = 30

    private let running = Mutex<[String: Int32]>([:])
    private let stopRequests = Mutex<Set<String>>([])

    func requestStop(_ key: String) {
        stopRequests.withLock { _ = $0.insert(key) }
        if let pid = running.withLock({ $0[key] }) { Self.terminate(pid) }
    }

    func stopRequested(_ key: String) -> Bool { stopRequests.withLock { $0.contains(key) } }

    /// Forgets a job's stop request once the job is over.
    func clearStopRequest(_ key: String) { stopRequests.withLock { _ = $0.remove(key) } }

    /// Records a started worker; terminates it at once if a stop was asked meanwhile.
    func started(_ key: String, pid: Int32) {
        running.withLock { $0[key] = pid }
        if stopRequested(key) { Self.terminate(pid) }
    }

    func exited(_ key: String) { running.withLock { _ = $0.removeValue(forKey: key) } }

    static func terminate(_ pid: Int32) {
        kill(pid, SIGTERM)
        Task {
            try? await Task.sleep(for: .seconds(stopGraceSeconds))
            kill(pid, SIGKILL)
        }
    }
}
