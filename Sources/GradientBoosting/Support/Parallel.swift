import Dispatch
import Synchronization

/// A raw pointer wrapper that may cross into `concurrentPerform` closures.
/// Callers guarantee that concurrent tasks touch disjoint elements.
@usableFromInline
struct SendablePointer<T>: @unchecked Sendable {
    @usableFromInline let p: UnsafeMutablePointer<T>
    @inlinable init(_ p: UnsafeMutablePointer<T>) { self.p = p }
}

final class TaskCounter: Sendable {
    let next = Atomic<Int>(0)
}

private struct UncheckedBody: @unchecked Sendable {
    let run: (Int) -> Void
}

/// Runs `body(task)` for every task in `0..<tasks` on at most `threads` threads,
/// handing tasks out dynamically so that a busy core does not stall the others.
/// Tasks must write to disjoint memory.
public func parallelFor(_ tasks: Int, threads: Int, _ body: (Int) -> Void) {
    if tasks <= 0 { return }
    let workers = min(max(threads, 1), tasks)
    if workers == 1 {
        for t in 0..<tasks { body(t) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let counter = TaskCounter()
        let box = UncheckedBody(run: body)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let t = counter.next.wrappingAdd(1, ordering: .relaxed).oldValue
                if t >= tasks { break }
                box.run(t)
            }
        }
    }
}
