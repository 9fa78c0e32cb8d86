import Linalg

/// A trained K-Means model: `k` centroids, row `i` = cluster `i`.
public struct KMeansModel: Sendable, Equatable {
    /// `k × feature_dim`.
    public var centroids: Matrix

    public init(centroids: Matrix) { self.centroids = centroids }

    /// Closest cluster of each row and the Euclidean (not squared) distance to it, as SageMaker's
    /// `closest_cluster` / `distance_to_cluster`.
    public func assign(_ rows: Matrix) -> (clusters: [Int32], distances: [Float]) {
        precondition(rows.columns == centroids.columns, "rows have \(rows.columns) columns, the model \(centroids.columns)")
        let (clusters, squared) = Kernels.nearestCenters(rows, centers: centroids)
        return (clusters, squared.map { $0.squareRoot() })
    }

    /// `msd` (mean over rows of the squared distance to the closest centroid) and `ssd` (their sum).
    public func score(_ rows: Matrix) -> (msd: Double, ssd: Double) {
        precondition(rows.columns == centroids.columns, "rows have \(rows.columns) columns, the model \(centroids.columns)")
        let squared = Kernels.nearestCenters(rows, centers: centroids).squaredDistances
        let ssd = squared.reduce(0.0) { $0 + Double($1) }
        return (rows.rows == 0 ? 0 : ssd / Double(rows.rows), ssd)
    }
}
