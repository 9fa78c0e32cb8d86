import Testing
@testable import LDA
