import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numeric kernels on raw Float32/Float64 buffers: the hot loops K-Means and PCA are built from.
///
/// Conventions: matrices are row-major; a pointer plus its dimensions describes one. Every kernel
/// has a naive reference in `Tests/LinalgTests` that it is checked against. Inner loops use
/// `SIMD8<Float>`/`SIMD16<Float>` with several accumulators; the hottest ones (sgemm, Gram) go through
/// `multiplyAdd`, which is a fused multiply-add only in builds that declare FMA (`-DKILN_FMA`).
public enum Kernels {
    /// A raw pointer that may cross into parallel workers (`parallelRowBlocks`); the caller
    /// guarantees each worker writes a disjoint part.
    public struct SharedPointer<T>: @unchecked Sendable {
        public let base: UnsafeMutablePointer<T>
        public init(_ base: UnsafeMutablePointer<T>) { self.base = base }
    }

    struct UncheckedBody: @unchecked Sendable {
        let body: (Range<Int>) -> Void
    }

    /// The number of workers the parallel kernels split their work for.
    public static let workerCount: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    /// Runs `body` over `0 ..< count` split into contiguous blocks of at least `minimumBlock`
    /// items, on all cores. Blocks outnumber cores (up to 4 per core) so a core shared with other
    /// work does not hold the others back. `body` must only write state disjoint per block.
    public static func parallelRowBlocks(_ count: Int, minimumBlock: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let maxBlocks = (count + max(1, minimumBlock) - 1) / max(1, minimumBlock)
        let blocks = min(maxBlocks, workerCount == 1 ? 1 : workerCount * 4)
        if blocks <= 1 {
            body(0 ..< count)
            return
        }
        withoutActuallyEscaping(body) { body in
            // The caller promises disjoint writes per block, which is what makes this sharing sound.
            let shared = UncheckedBody(body: body)
            DispatchQueue.concurrentPerform(iterations: blocks) { b in
                let lo = count * b / blocks, hi = count * (b + 1) / blocks
                if lo < hi { shared.body(lo ..< hi) }
            }
        }
    }

    /// `Σ a[i]·b[i]` over `count` floats, accumulated in Float with 4 SIMD8 accumulators.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i + 32 <= count {
            let o = i &* 4
            s0 += ra.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o + 32, as: SIMD8<Float>.self)
            s2 += ra.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o + 64, as: SIMD8<Float>.self)
            s3 += ra.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o + 96, as: SIMD8<Float>.self)
            i &+= 32
        }
        while i + 8 <= count {
            let o = i &* 4
            s0 += ra.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            i &+= 8
        }
        var s = ((s0 + s1) + (s2 + s3)).sum()
        while i < count {
            s += a[i] * b[i]
            i &+= 1
        }
        return s
    }

    /// `Σ a[i]·b[i]` over `count` doubles.
    @inlinable
    public static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count: Int) -> Double {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i + 8 <= count {
            let o = i &* 8
            s0 += ra.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            s1 += ra.loadUnaligned(fromByteOffset: o + 32, as: SIMD4<Double>.self) * rb.loadUnaligned(fromByteOffset: o + 32, as: SIMD4<Double>.self)
            i &+= 8
        }
        var s = (s0 + s1).sum()
        while i < count {
            s += a[i] * b[i]
            i &+= 1
        }
        return s
    }

    /// `y[i] += alpha·x[i]` over `count` floats.
    @inlinable
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let va = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= count {
            let o = i &* 4
            let v = ry.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self) + va * rx.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            ry.storeBytes(of: v, toByteOffset: o, as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < count {
            y[i] += alpha * x[i]
            i &+= 1
        }
    }

    /// `y[i] += alpha·x[i]` over `count` doubles.
    @inlinable
    public static func axpy(_ alpha: Double, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let va = SIMD4<Double>(repeating: alpha)
        var i = 0
        while i + 4 <= count {
            let o = i &* 8
            let v = ry.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self) + va * rx.loadUnaligned(fromByteOffset: o, as: SIMD4<Double>.self)
            ry.storeBytes(of: v, toByteOffset: o, as: SIMD4<Double>.self)
            i &+= 4
        }
        while i < count {
            y[i] += alpha * x[i]
            i &+= 1
        }
    }

    /// Squared Euclidean norm of each of `rows` rows of a row-major `rows × columns` matrix, into `out`.
    public static func rowSquaredNorms(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
        let o = SharedPointer(out)
        parallelRowBlocks(rows, minimumBlock: max(1, 65536 / max(1, columns))) { block in
            for r in block {
                let row = x + r * columns
                o.base[r] = dot(row, row, count: columns)
            }
        }
    }

    /// Squared Euclidean norm of each row of `m`.
    public static func rowSquaredNorms(_ m: Matrix) -> [Float] {
        var out = [Float](repeating: 0, count: m.rows)
        if m.rows == 0 || m.columns == 0 { return out }
        m.values.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { o in
                rowSquaredNorms(x.baseAddress!, rows: m.rows, columns: m.columns, into: o.baseAddress!)
            }
        }
        return out
    }
}

extension Kernels {
    /// `acc + a·b`, fused into one FMA instruction when the build says the CPU has FMA (`-DKILN_FMA`,
    /// set by `scripts/build-release.sh` together with `-target-cpu native`). Without it `addingProduct`
    /// would become a libm call per lane, so the plain multiply and add is used instead. One overload per
    /// width: a generic `V: SIMD` version measured 10–30 % slower in the Gram kernel.
    @inlinable @inline(__always)
    public static func multiplyAdd(_ acc: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        #if KILN_FMA
        return acc.addingProduct(a, b)
        #else
        return acc + a * b
        #endif
    }

    @inlinable @inline(__always)
    public static func multiplyAdd(_ acc: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if KILN_FMA
        return acc.addingProduct(a, b)
        #else
        return acc + a * b
        #endif
    }
}
