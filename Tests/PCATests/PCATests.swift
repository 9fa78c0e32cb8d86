import Testing
@testable import PCA
