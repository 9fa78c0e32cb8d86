import AWSWire
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metadata
import SageMakerShapes
import SigV4

/// The single entry point: routes each request by protocol and by the service in its credential scope,
/// authenticates it, dispatches it, and renders errors in that protocol's shape.
struct KilnResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let authenticator: Authenticator
    let s3: S3Handler
    let logs: LogsHandler
    let query: QueryHandler
    let sageMaker: SageMakerDispatcher
    let runtime: RuntimeHandler
    let metrics: RequestMetrics
    let logger: Logger

    /// Largest body accepted by the JSON and query services.
    static let maxJSONBody = 25 * 1024 * 1024

    enum Service: String {
        case s3, logs, sts, iam, sageMaker = "sagemaker", sageMakerRuntime = "sagemaker-runtime",
             featureStoreRuntime = "featurestore-runtime"

        var protocolKind: ProtocolKind {
            switch self {
            case .s3: .restXML
            case .logs, .sageMaker: .json
            case .sageMakerRuntime, .featureStoreRuntime: .restJSON
            case .sts, .iam: .query
            }
        }
    }

    enum ProtocolKind { case restXML, json, restJSON, query }

    func respond(to request: Request, context: Context) async throws -> Response {
        let started = ContinuousClock.now
        let incoming = IncomingRequest(request)
        if incoming.method == "GET" && incoming.header("authorization") == nil && !incoming.hasQuery("X-Amz-Signature")
            && !incoming.hasQuery("Signature") {
            if incoming.rawPath == "/health" { return Response.make(status: 200, text: "ok\n") }
            if incoming.rawPath == "/metrics" {
                var h = HTTPFields()
                h[.contentType] = "text/plain; version=0.0.4"
                return Response.make(status: 200, headers: h, text: metrics.render())
            }
        }
        var service = Service.s3
        var operation = "Unknown"
        let response: Response
        do {
            let claim: AuthClaim
            do { claim = try AuthClaim.parse(incoming.signable) } catch {
                service = classify(incoming, claim: .none)
                throw error
            }
            service = classify(incoming, claim: claim)
            operation = operationName(incoming, service: service)
            response = try await dispatch(request, incoming, service: service, operation: &operation, claim: claim)
        } catch {
            response = render(error, incoming, service: service, operation: operation)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.record(service: service.rawValue, operation: operation, status: Int(response.status.code), seconds: seconds)
        logger.debug("request", metadata: ["service": "\(service.rawValue)", "operation": "\(operation)",
                                           "status": "\(response.status.code)", "requestId": "\(incoming.requestId)"])
        return response
    }

    func classify(_ r: IncomingRequest, claim: AuthClaim) -> Service {
        let target = r.header("x-amz-target") ?? ""
        switch claim.service {
        case "s3": return .s3
        case "logs": return .logs
        case "sts": return .sts
        case "iam": return .iam
        case "sagemaker":
            if r.rawPath.hasPrefix("/endpoints/") { return .sageMakerRuntime }
            if r.rawPath.hasPrefix("/FeatureGroup/") || r.rawPath.hasPrefix("/BatchGetRecord") || r.rawPath.hasPrefix("/BatchWriteRecord") {
                return .featureStoreRuntime
            }
            return .sageMaker
        case .some: break
        case nil: break
        }
        if target.hasPrefix("SageMaker.") { return .sageMaker }
        if target.hasPrefix("Logs_20140328.") { return .logs }
        if claim.service == nil, r.method == "POST", r.rawPath == "/",
           r.header("content-type")?.hasPrefix("application/x-www-form-urlencoded") == true {
            return .sts
        }
        if claim.service != nil && !target.isEmpty { return .sageMaker }
        return .s3
    }

    func operationName(_ r: IncomingRequest, service: Service) -> String {
        switch service {
        case .s3: return (try? s3.address(of: r)).map { s3.operationName(r, bucket: $0.bucket, key: $0.key) } ?? "Unknown"
        case .logs, .sageMaker:
            // Only names the service knows become metric labels, so clients cannot grow the label set.
            let target = r.header("x-amz-target") ?? ""
            let name = target.split(separator: ".", maxSplits: 1).last.map(String.init) ?? ""
            let known = service == .logs ? LogsHandler.operations.contains(name) : SageMakerOperation.allModelOperationNames.contains(name)
            return known ? name : "Unknown"
        case .sageMakerRuntime: return r.rawPath.hasSuffix("/invocations") ? "InvokeEndpoint" : "Unknown"
        case .featureStoreRuntime: return "FeatureStoreRuntime"
        case .sts, .iam: return QueryHandler.knownActions.contains(r.queryValue("Action") ?? "") ? r.queryValue("Action")! : "Unknown"
        }
    }

    /// `operation` is refined once the body is read (the query protocols name the action in the form body).
    func dispatch(_ request: Request, _ r: IncomingRequest, service: Service, operation: inout String, claim: AuthClaim) async throws -> Response {
        if service == .s3 {
            let caller = try await authenticator.authenticate(r, claim: claim, bodySHA256: nil)
            return try await s3.handle(r, body: request.body, caller: caller, operation: operation)
        }
        // Refuse unknown keys before buffering a body of up to 25 MiB.
        try await authenticator.precheck(claim)
        var request = request
        let buffer = try await request.collectBody(upTo: Self.maxJSONBody)
        let body = Array(buffer.readableBytesView)
        let params = (service == .sts || service == .iam) ? QueryHandler.parameters(body: body, query: r.rawQuery) : [:]
        if let action = params["Action"]?.first, QueryHandler.knownActions.contains(action) { operation = action }
        let caller = try await authenticator.authenticate(r, claim: claim, bodySHA256: SigV4Crypto.sha256Hex(body))
        switch service {
        case .logs:
            guard r.method == "POST", let target = r.header("x-amz-target"), target.hasPrefix("Logs_20140328.") else {
                throw AWSError("UnknownOperationException", status: 400, "Unknown operation")
            }
            return try await logs.handle(operation: operation, body: body, caller: caller, requestId: r.requestId)
        case .sageMaker:
            guard r.method == "POST", let target = r.header("x-amz-target"), target.hasPrefix("SageMaker.") else {
                throw AWSError("UnknownOperationException", status: 400, "Unknown operation \(r.header("x-amz-target") ?? "")")
            }
            return try await sageMaker.handle(operation: operation, body: body, caller: caller, requestId: r.requestId)
        case .sageMakerRuntime:
            return try await runtime.handle(r, body: body, caller: caller)
        case .featureStoreRuntime:
            throw AWSError("UnknownOperationException", status: 404, "Kiln does not serve \(r.method) \(r.rawPath) yet")
        case .sts, .iam:
            return try query.handle(service: service.rawValue, params: params, caller: caller, requestId: r.requestId)
        case .s3:
            fatalError("handled above")
        }
    }

    func render(_ error: any Error, _ r: IncomingRequest, service: Service, operation: String) -> Response {
        let awsError: AWSError
        switch error {
        case let e as AWSError: awsError = e
        case let e as AuthFailure: awsError = Self.authError(e, service: service, presigned: r.hasQuery("X-Amz-Signature") || r.hasQuery("Signature"))
        case let e as HTTPError where e.status == .contentTooLarge:
            awsError = service == .s3 ? S3Errors.entityTooLarge : AWSError("SerializationException", status: 413, "Request body too large")
        default:
            logger.error("internal error", metadata: ["error": "\(error)", "operation": "\(operation)", "requestId": "\(r.requestId)"])
            awsError = service == .s3
                ? AWSError("InternalError", status: 500, "We encountered an internal error. Please try again.")
                : AWSError("InternalFailure", status: 500, "The request processing has failed because of an unknown error.")
        }
        switch service.protocolKind {
        case .restXML: return ProtocolResponses.s3Error(awsError, requestId: r.requestId, resource: r.rawPath, head: r.method == "HEAD")
        case .json: return ProtocolResponses.jsonError(awsError, requestId: r.requestId)
        case .restJSON: return ProtocolResponses.jsonError(awsError, requestId: r.requestId, contentType: "application/json")
        case .query:
            return ProtocolResponses.queryError(awsError, requestId: r.requestId,
                                                namespace: service == .iam ? QueryHandler.iamNamespace : QueryHandler.stsNamespace)
        }
    }

    /// Maps a signature failure to the code each protocol family uses.
    static func authError(_ f: AuthFailure, service: Service, presigned: Bool) -> AWSError {
        switch service.protocolKind {
        case .restXML:
            switch f {
            case .missingAuthentication: return S3Errors.accessDenied
            case .malformed(let m):
                return AWSError(presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed", status: 400, m)
            case .unknownAccessKey(let id):
                return AWSError("InvalidAccessKeyId", status: 403, "The AWS Access Key Id you provided does not exist in our records.", details: [("AWSAccessKeyId", id)])
            case .signatureMismatch(let creq, let sts):
                return AWSError("SignatureDoesNotMatch", status: 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
                                details: [("StringToSign", sts), ("CanonicalRequest", creq)])
            case .requestTimeTooSkewed(let t, let now):
                return AWSError("RequestTimeTooSkewed", status: 403, "The difference between the request time and the current time is too large.",
                                details: [("RequestTime", t), ("ServerTime", now), ("MaxAllowedSkewMilliseconds", "900000")])
            case .expired(let at, let now):
                return AWSError("AccessDenied", status: 403, "Request has expired", details: [("Expires", at), ("ServerTime", now)])
            case .contentSHA256Mismatch(let claimed, let computed): return S3Errors.contentSHA256Mismatch(claimed: claimed, computed: computed)
            case .unsignedHeaders(let name):
                return AWSError("AccessDenied", status: 403, "There were headers present in the request which were not signed",
                                details: [("HeadersNotSigned", name)])
            }
        case .json, .restJSON:
            switch f {
            case .missingAuthentication: return AWSError("MissingAuthenticationTokenException", status: 400, "Missing Authentication Token")
            case .malformed(let m): return AWSError("IncompleteSignatureException", status: 400, m)
            case .unknownAccessKey: return AWSError("UnrecognizedClientException", status: 400, "The security token included in the request is invalid.")
            case .signatureMismatch:
                return AWSError("InvalidSignatureException", status: 400, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
            case .requestTimeTooSkewed(let t, let now):
                return AWSError("InvalidSignatureException", status: 400, "Signature expired: \(t) is now earlier than \(now) (\(now) - 15 min.)")
            case .expired: return AWSError("InvalidSignatureException", status: 400, "Signature expired")
            case .contentSHA256Mismatch: return AWSError("InvalidSignatureException", status: 400, "The provided x-amz-content-sha256 does not match the body")
            case .unsignedHeaders(let name): return AWSError("InvalidSignatureException", status: 400, "Header \(name) is not signed")
            }
        case .query:
            switch f {
            case .missingAuthentication: return AWSError("MissingAuthenticationToken", status: 403, "Request is missing Authentication Token")
            case .malformed(let m): return AWSError("IncompleteSignature", status: 400, m)
            case .unknownAccessKey: return AWSError("InvalidClientTokenId", status: 403, "The security token included in the request is invalid.")
            case .signatureMismatch, .contentSHA256Mismatch, .unsignedHeaders:
                return AWSError("SignatureDoesNotMatch", status: 403, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
            case .requestTimeTooSkewed(let t, let now):
                return AWSError("SignatureDoesNotMatch", status: 403, "Signature expired: \(t) is now earlier than \(now) (\(now) - 15 min.)")
            case .expired: return AWSError("SignatureDoesNotMatch", status: 403, "Signature expired")
            }
        }
    }
}
