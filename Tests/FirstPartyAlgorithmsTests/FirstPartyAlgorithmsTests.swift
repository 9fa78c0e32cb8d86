import Testing
@testable import FirstPartyAlgorithms
