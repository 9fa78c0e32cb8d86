import Foundation
import Prometheus

/// Request counters and latency histograms, exported in Prometheus text format at `/metrics`.
final class RequestMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    func record(service: String, operation: String, status: Int, seconds: Double) {
        let labels = [("service", service), ("operation", operation), ("status", String(status))]
        registry.makeCounter(name: "kiln_requests_total", labels: labels).increment()
        registry.makeDurationHistogram(name: "kiln_request_duration_seconds", labels: [("service", service), ("operation", operation)],
                                       buckets: Self.buckets.map { .milliseconds(Int64($0 * 1000)) }).recordSeconds(seconds)
    }

    /// Invocations by endpoint and variant (endpoint names are the account's own, created through the API).
    func recordInvocation(endpoint: String, variant: String, error: Bool, seconds: Double) {
        let labels = [("endpoint", endpoint), ("variant", variant)]
        registry.makeCounter(name: "kiln_invocations_total", labels: labels).increment()
        if error { registry.makeCounter(name: "kiln_invocation_errors_total", labels: labels).increment() }
        registry.makeDurationHistogram(name: "kiln_invocation_duration_seconds", labels: labels,
                                       buckets: Self.buckets.map { .milliseconds(Int64($0 * 1000)) }).recordSeconds(seconds)
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
