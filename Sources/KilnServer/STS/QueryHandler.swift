import AWSWire
import Foundation
import Hummingbird
import SigV4

/// The query-protocol services the SDKs call: STS GetCallerIdentity and IAM GetRole / SimulatePrincipalPolicy.
///
/// Every Kiln access key is its account's root identity, so IAM answers describe a role that trusts SageMaker
/// and allow every simulated action (the SageMaker SDK v3 checks these before training).
struct QueryHandler: Sendable {
    static let knownActions: Set<String> = ["GetCallerIdentity", "GetRole", "SimulatePrincipalPolicy"]
    static let stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"
    static let iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/"

    /// Parses an `application/x-www-form-urlencoded` body (and the URL query) into parameters.
    static func parameters(body: [UInt8], query: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for source in [query, String(decoding: body, as: UTF8.self)] where !source.isEmpty {
            for pair in source.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = URIEncoding.decodeFormComponent(parts[0]) else { continue }
                let value = parts.count > 1 ? (URIEncoding.decodeFormComponent(parts[1]) ?? "") : ""
                out[name, default: []].append(value)
            }
        }
        return out
    }

    func handle(service: String, params: [String: [String]], caller: Caller, requestId: String) throws -> Response {
        let action = params["Action"]?.first ?? ""
        switch (service, action) {
        case ("sts", "GetCallerIdentity"):
            var x = XMLWriter()
            x.element("GetCallerIdentityResponse", namespace: Self.stsNamespace) { x in
                x.element("GetCallerIdentityResult") { x in
                    x.element("Arn", caller.arn)
                    x.element("UserId", caller.userName == "root" ? caller.accountId : caller.accessKeyId)
                    x.element("Account", caller.accountId)
                }
                x.element("ResponseMetadata") { x in x.element("RequestId", requestId) }
            }
            return ProtocolResponses.queryResult(x, requestId: requestId)
        case ("iam", "GetRole"):
            guard let name = params["RoleName"]?.first, !name.isEmpty else {
                throw AWSError("ValidationError", status: 400, "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
            }
            return getRole(name, caller: caller, requestId: requestId)
        case ("iam", "SimulatePrincipalPolicy"):
            return simulate(params, requestId: requestId)
        case ("sts", ""), ("iam", ""):
            throw AWSError("MissingAction", status: 400, "Missing Action")
        default:
            throw AWSError("InvalidAction", status: 400, "Could not find operation \(action) for version \(params["Version"]?.first ?? "")")
        }
    }

    func getRole(_ name: String, caller: Caller, requestId: String) -> Response {
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        var x = XMLWriter()
        x.element("GetRoleResponse", namespace: Self.iamNamespace) { x in
            x.element("GetRoleResult") { x in
                x.element("Role") { x in
                    x.element("Path", "/")
                    x.element("RoleName", name)
                    x.element("RoleId", "AROA" + String(name.utf8.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }, radix: 36).uppercased())
                    x.element("Arn", "arn:aws:iam::\(caller.accountId):role/\(name)")
                    x.element("CreateDate", AWSTimestamp.iso8601(Date(timeIntervalSince1970: 1_700_000_000)))
                    x.element("AssumeRolePolicyDocument", URIEncoding.encode(trust, keepSlash: false))
                    x.element("MaxSessionDuration", "3600")
                }
            }
            x.element("ResponseMetadata") { x in x.element("RequestId", requestId) }
        }
        return ProtocolResponses.queryResult(x, requestId: requestId)
    }

    func simulate(_ params: [String: [String]], requestId: String) -> Response {
        let actions = params.keys.filter { $0.hasPrefix("ActionNames.member.") }
            .sorted { (Int($0.split(separator: ".").last ?? "") ?? 0) < (Int($1.split(separator: ".").last ?? "") ?? 0) }
            .compactMap { params[$0]?.first }
        let resources = params.keys.filter { $0.hasPrefix("ResourceArns.member.") }.compactMap { params[$0]?.first }
        var x = XMLWriter()
        x.element("SimulatePrincipalPolicyResponse", namespace: Self.iamNamespace) { x in
            x.element("SimulatePrincipalPolicyResult") { x in
                x.element("IsTruncated", "false")
                x.element("EvaluationResults") { x in
                    for action in actions {
                        x.element("member") { x in
                            x.element("EvalActionName", action)
                            x.element("EvalResourceName", resources.first ?? "*")
                            x.element("EvalDecision", "allowed")
                            x.element("MatchedStatements") { _ in }
                            x.element("MissingContextValues") { _ in }
                        }
                    }
                }
            }
            x.element("ResponseMetadata") { x in x.element("RequestId", requestId) }
        }
        return ProtocolResponses.queryResult(x, requestId: requestId)
    }
}
