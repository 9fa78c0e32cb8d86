import Testing
@testable import KMeans
