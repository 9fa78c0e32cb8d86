import Foundation
import Prometheus
import Synchronization

/// Request counters and latency histograms, exported in Prometheus text format at `/metrics`.
final class RequestMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    /// The registry's metric objects by label values: looking them up in the registry on every request
    /// (label arrays, bucket lists, its lock) cost more than the request's own work on small invocations.
    private struct Series: Sendable {
        var counter: Counter
        var errors: Counter?
        var duration: DurationHistogram
    }
    private let requestSeries = Mutex<[String: Series]>([:])
    private let invocationSeries = Mutex<[String: Series]>([:])
    private static let durationBuckets: [Duration] = buckets.map { .milliseconds(Int64($0 * 1000)) }

    func record(service: String, operation: String, status: Int, seconds: Double) {
        let key = "\(service) \(operation) \(status)"
        let series = requestSeries.withLock { cache in
            if let hit = cache[key] { return hit }
            let made = Series(
                counter: registry.makeCounter(name: "kiln_requests_total", labels: [("service", service), ("operation", operation), ("status", String(status))]),
                duration: registry.makeDurationHistogram(name: "kiln_request_duration_seconds", labels: [("service", service), ("operation", operation)],
                                                         buckets: Self.durationBuckets))
            cache[key] = made
            return made
        }
        series.counter.increment()
        series.duration.recordSeconds(seconds)
    }

    /// Invocations by endpoint and variant (endpoint names are the account's own, created through the API).
    func recordInvocation(endpoint: String, variant: String, error: Bool, seconds: Double) {
        let key = "\(endpoint) \(variant)"
        let series = invocationSeries.withLock { cache in
            if let hit = cache[key] { return hit }
            let labels = [("endpoint", endpoint), ("variant", variant)]
            let made = Series(counter: registry.makeCounter(name: "kiln_invocations_total", labels: labels),
                              errors: registry.makeCounter(name: "kiln_invocation_errors_total", labels: labels),
                              duration: registry.makeDurationHistogram(name: "kiln_invocation_duration_seconds", labels: labels,
                                                                       buckets: Self.durationBuckets))
            cache[key] = made
            return made
        }
        series.counter.increment()
        if error { series.errors?.increment() }
        series.duration.recordSeconds(seconds)
    }

    func render() -> String {
        var out = [UInt8]()
        registry.emit(into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

extension DurationHistogram {
    func recordSeconds(_ s: Double) { record(.nanoseconds(Int64(s * 1e9))) }
}
