import Testing
@testable import LinearLearner
