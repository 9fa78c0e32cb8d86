import AWSWire

/// The wording the SageMaker SDK matches on ("Could not find …", "Cannot create already existing …").
enum HostingErrors {
    static func notFound(_ what: String, _ arn: String) -> AWSError {
        AWSError("ValidationException", status: 400, "Could not find \(what) \"\(arn)\".")
    }
    static func alreadyExists(_ what: String, _ arn: String) -> AWSError {
        AWSError("ValidationException", status: 400, "Cannot create already existing \(what) \"\(arn)\".")
    }
    static func arn(_ caller: Caller, _ type: String, _ name: String) -> String {
        "arn:aws:sagemaker:\(caller.region):\(caller.accountId):\(type)/\(name.lowercased())"
    }
}
