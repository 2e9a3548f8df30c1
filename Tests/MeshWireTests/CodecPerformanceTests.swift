import XCTest
import MeshWire

#if canImport(Glibc)
import Glibc
#endif

/// Reports encode/decode cost for the benchmark's ~1 KiB TaskResult envelope. It prints
/// numbers and never asserts on time (shared CI machines are too noisy); run with
/// `swift test -c release --filter CodecPerformanceTests` for representative figures.
final class CodecPerformanceTests: XCTestCase {
    private func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    func testReportEncodeDecodeNanoseconds() throws {
        let codec = EnvelopeCodec()
        let envelope = Fixtures.oneKiBTaskResult
        let bytes = try codec.encode(envelope)
        let sealed = try codec.encode(SealedEnvelope(envelope: bytes, signatures: [Fixtures.signature]))
        // MESHWIRE_PERF_ITERATIONS lets a profiler run get enough samples.
        let iterations = getenv("MESHWIRE_PERF_ITERATIONS").flatMap { Int(String(cString: $0)) } ?? 20_000
        var sink = 0

        for _ in 0..<1_000 { sink &+= try codec.encode(envelope).count }
        var start = nanos()
        for _ in 0..<iterations { sink &+= try codec.encode(envelope).count }
        let encodeNs = Double(nanos() - start) / Double(iterations)

        start = nanos()
        for _ in 0..<iterations { sink &+= try codec.decode(bytes).attributes.count }
        let decodeNs = Double(nanos() - start) / Double(iterations)

        start = nanos()
        for _ in 0..<iterations { sink &+= try codec.decodeSealed(sealed).signatures.count }
        let sealedNs = Double(nanos() - start) / Double(iterations)

        print("MeshWire perf: envelope \(bytes.count) B, sealed \(sealed.count) B; encode \(Int(encodeNs)) ns, decode \(Int(decodeNs)) ns, decodeSealed \(Int(sealedNs)) ns (sink \(sink % 2))")
        XCTAssertGreaterThan(bytes.count, 900)
        XCTAssertLessThan(bytes.count, 1300)
    }
}
