/// A training or input error with a message a user can act on (what is wrong, what is allowed).
public struct LDAError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
