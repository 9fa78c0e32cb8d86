import AWSWire
import Foundation
import ModelServing
import HTTPTypes
import Hummingbird
import SigV4

/// sagemaker-runtime: `POST /endpoints/{name}/invocations` (InvokeEndpoint).
struct RuntimeHandler: Sendable {
    let hosting: HostingService
    let metrics: RequestMetrics

    /// InvokeEndpoint's payload limit.
    static let maxPayload = 6 * 1024 * 1024

    func handle(_ r: IncomingRequest, body: [UInt8], caller: Caller) async throws -> Response {
        let parts = r.rawPath.split(separator: "/", omittingEmptySubsequences: true)
        guard r.method == "POST", parts.count == 3, parts[0] == "endpoints", parts[2] == "invocations",
              let name = URIEncoding.decode(parts[1]) else {
            throw AWSError("UnknownOperationException", status: 404, "Kiln does not serve \(r.method) \(r.rawPath)")
        }
        guard body.count <= Self.maxPayload else {
            throw AWSError("ValidationError", status: 413, "Received payload of \(body.count) bytes, which exceeds the InvokeEndpoint limit of \(Self.maxPayload) bytes")
        }
        let started = ContinuousClock.now
        // Served endpoints are in memory; the metadata store is read only to explain why one is not.
        guard let variants = hosting.runtime.variants(EndpointRuntime.key(caller.accountId, caller.region, name)) else {
            guard let endpoint = try await hosting.endpoints.get(name, caller: caller) else {
                throw AWSError("ValidationError", status: 400, "Endpoint \(name) of account \(caller.accountId) not found.")
            }
            throw AWSError("ServiceUnavailable", status: 503, "Endpoint \(name) is not in service (status \(endpoint.description.endpointStatus ?? "unknown")).")
        }
        let target = r.header("x-amzn-sagemaker-target-variant")
        guard let variant = EndpointRuntime.choose(variants, target: target) else {
            throw AWSError("ValidationError", status: 400, "Variant \(target ?? "") not found for endpoint \(name).")
        }
        let accept = r.header("accept")
        let contentType = r.header("content-type")
        let outcome: (body: [UInt8], contentType: String)
        do {
            outcome = try variant.model.invoke(body, contentType: contentType, accept: accept)
        } catch let e as InvocationFailure {
            metrics.recordInvocation(endpoint: name, variant: variant.name, error: true, seconds: elapsed(since: started))
            throw AWSError("ModelError", status: 424,
                           "Received client error (\(e.status)) from primary with message \"\(e.message)\". See CloudWatch Logs for endpoint \(name).")
        }
        metrics.recordInvocation(endpoint: name, variant: variant.name, error: false, seconds: elapsed(since: started))
        var h = HTTPFields()
        h[.contentType] = outcome.contentType
        h.set("x-Amzn-Invoked-Production-Variant", variant.name)
        h.set("x-amzn-RequestId", r.requestId)
        if let attributes = r.header("x-amzn-sagemaker-custom-attributes") { h.set("X-Amzn-SageMaker-Custom-Attributes", attributes) }
        return Response.make(status: 200, headers: h, body: ByteBuffer(bytes: outcome.body))
    }

    func elapsed(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
