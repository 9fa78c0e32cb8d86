/// A training or configuration failure with a message a user can act on.
public struct LinearLearnerError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
