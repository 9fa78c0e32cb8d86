import Testing
@testable import Linalg
