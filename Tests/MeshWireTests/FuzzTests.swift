import XCTest
import MeshWire

/// Robustness: arbitrary and corrupted bytes must decode to a valid value or throw a
/// `WireError`, never trap. Everything is seeded; a failure message carries the seed and
/// case index needed to replay it.
final class FuzzTests: XCTestCase {
    static let seed: UInt64 = 0xA6E3_7D15_5EED_0001
    let codec = EnvelopeCodec()

    private struct Tally {
        var cases = 0, accepted = 0
        var errors: [String: Int] = [:]
    }

    /// Decodes one case; when it succeeds, the value must itself round-trip, which catches
    /// decoders that "succeed" into values the encoder cannot reproduce.
    private func check(_ bytes: [UInt8], sealed: Bool, _ tally: inout Tally, _ label: @autoclosure () -> String) {
        tally.cases += 1
        do {
            if sealed {
                let value = try codec.decodeSealed(bytes)
                XCTAssertEqual(try codec.decodeSealed(try codec.encode(value)), value, "seed \(Self.seed) \(label())")
                // Flipped bits inside the inner envelope must be handled by `decode` too.
                _ = try? codec.decode(value.envelope)
            } else {
                let value = try codec.decode(bytes)
                XCTAssertEqual(try codec.decode(try codec.encode(value)), value, "seed \(Self.seed) \(label())")
            }
            tally.accepted += 1
        } catch {
            // `error` is statically a WireError (typed throws); record which case.
            tally.errors[Mirror(reflecting: error).children.first?.label ?? "\(error)", default: 0] += 1
        }
    }

    private func report(_ name: String, _ tally: Tally) {
        print("fuzz[\(name)] seed=\(String(Self.seed, radix: 16)) cases=\(tally.cases) accepted=\(tally.accepted) errors=\(tally.errors.sorted { $0.key < $1.key })")
    }

    func testRandomBytes() {
        var rng = SplitMix64(seed: Self.seed)
        var tally = Tally()
        for i in 0..<20_000 {
            let count = Int(rng.next() % (i % 10 == 0 ? 2048 : 96))
            let bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            check(bytes, sealed: i % 2 == 1, &tally, "random #\(i)")
        }
        report("random", tally)
    }

    /// Random but protobuf-shaped input (valid tags and lengths for the envelope's fields),
    /// which gets far deeper into the decoder than uniform noise.
    func testStructuredRandom() {
        var rng = SplitMix64(seed: Self.seed ^ 0x5757)
        var tally = Tally()
        func randomString(_ rng: inout SplitMix64) -> [UInt8] {
            let pool: [[UInt8]] = [Array("1.0".utf8), Array(PayloadKind.allCases[Int(rng.next() % 12)].rawValue.utf8),
                                   [0xC3, 0x28], [], Array("ü✅".utf8), [0x41, 0x00, 0x42], [0xFF]]
            return pool[Int(rng.next() % UInt64(pool.count))]
        }
        func message(_ depth: Int, _ rng: inout SplitMix64) -> [UInt8] {
            var w = ProtoWriter()
            for _ in 0..<Int(rng.next() % 10) {
                let field = UInt32(rng.next() % 34)
                switch rng.next() % 4 {
                case 0: w.uint(field, rng.next() >> (rng.next() % 64))
                case 1: w.raw(field, randomString(&rng))
                case 2 where depth < 3: w.raw(field, message(depth + 1, &rng))
                default: w.tag(field, UInt8(rng.next() % 6)); w.varint(rng.next() % 4)
                }
            }
            return w.bytes
        }
        for i in 0..<15_000 {
            var w = i % 3 == 0 ? ProtoWriter() : ProtoWriter.header(type: PayloadKind.allCases[i % 12].rawValue)
            w.raw(UInt32(20 + i % 13), message(0, &rng))
            w.bytes += message(1, &rng)
            check(w.bytes, sealed: false, &tally, "structured #\(i)")
            var s = ProtoWriter()
            s.uint(1, rng.next() % 3)
            s.raw(2, w.bytes)
            s.raw(3, message(1, &rng))
            check(s.bytes, sealed: true, &tally, "structured sealed #\(i)")
        }
        report("structured", tally)
    }

    func testEveryTruncation() throws {
        var tally = Tally()
        for (n, envelope) in Fixtures.envelopes.enumerated() {
            let bytes = try codec.encode(envelope)
            for length in 0..<bytes.count {
                check(Array(bytes[..<length]), sealed: false, &tally, "truncate envelope \(n) to \(length)")
            }
        }
        for (n, sealed) in Fixtures.sealed.enumerated() {
            let bytes = try codec.encode(sealed)
            for length in 0..<bytes.count {
                check(Array(bytes[..<length]), sealed: true, &tally, "truncate sealed \(n) to \(length)")
            }
        }
        report("truncation", tally)
    }

    func testBitFlips() throws {
        var rng = SplitMix64(seed: Self.seed ^ 0xF11B)
        var tally = Tally()
        let inputs = try Fixtures.envelopes.map { (try codec.encode($0), false) }
            + Fixtures.sealed.map { (try codec.encode($0), true) }
        for (n, (bytes, sealed)) in inputs.enumerated() {
            let bits = bytes.count * 8
            for i in 0..<2_000 {
                var mutated = bytes
                let flips = i < 1_000 ? 1 : 2 + Int(rng.next() % 7)
                var flipped: [Int] = []
                for _ in 0..<flips {
                    let bit = Int(rng.next() % UInt64(bits))
                    mutated[bit / 8] ^= 1 << UInt8(bit % 8)
                    flipped.append(bit)
                }
                check(mutated, sealed: sealed, &tally, "input \(n) flip bits \(flipped)")
            }
        }
        report("bitflip", tally)
    }

    /// Byte-level splices (insert, delete, overwrite with interesting values) of valid input.
    func testByteMutations() throws {
        var rng = SplitMix64(seed: Self.seed ^ 0xB17E)
        var tally = Tally()
        let interesting: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x12, 0x1A, 0x22, 0xDA, 0x01]
        let inputs = try Fixtures.envelopes.map { (try codec.encode($0), false) }
            + Fixtures.sealed.map { (try codec.encode($0), true) }
        for (n, (bytes, sealed)) in inputs.enumerated() {
            for i in 0..<800 {
                var mutated = bytes
                let at = Int(rng.next() % UInt64(mutated.count))
                let value = interesting[Int(rng.next() % UInt64(interesting.count))]
                switch i % 3 {
                case 0: mutated[at] = value
                case 1: mutated.insert(value, at: at)
                default: mutated.remove(at: at)
                }
                check(mutated, sealed: sealed, &tally, "input \(n) mutation \(i) at \(at)")
            }
        }
        report("mutation", tally)
    }

    /// Sums the suites above so the total stays visible and above the required 100,000.
    func testTotalCaseCountMeetsTarget() throws {
        let envelopeBytes = try Fixtures.envelopes.reduce(0) { $0 + (try codec.encode($1)).count }
        let sealedBytes = try Fixtures.sealed.reduce(0) { $0 + (try codec.encode($1)).count }
        let inputs = Fixtures.envelopes.count + Fixtures.sealed.count
        let total = 20_000 + 30_000 + envelopeBytes + sealedBytes + inputs * 2_000 + inputs * 800
        print("fuzz total cases: \(total)")
        XCTAssertGreaterThanOrEqual(total, 100_000)
    }
}

/// Fuzz case for embedded NULs: every string of every fixture envelope, with a seeded random
/// byte of it replaced by 0 on the wire, must be refused as `.embeddedNUL`, never decoded
/// into a shorter string.
final class EmbeddedNULFuzzTests: XCTestCase {
    let codec = EnvelopeCodec()

    /// All string values inside `value`, found by reflection so new fields are covered too.
    private func strings(in value: Any) -> [String] {
        if let string = value as? String { return [string] }
        return Mirror(reflecting: value).children.flatMap { strings(in: $0.value) }
    }

    func testNULAnywhereInAnyStringIsRefused() throws {
        var rng = SplitMix64(seed: FuzzTests.seed ^ 0x0000_0000_0000_00FF)
        var cases = 0
        for (n, envelope) in Fixtures.envelopes.enumerated() {
            let bytes = try codec.encode(envelope)
            for string in Set(strings(in: envelope)) where string.utf8.count >= 3 {
                let needle = Array(string.utf8)
                guard let start = (0...(bytes.count - needle.count)).first(where: { Array(bytes[$0..<($0 + needle.count)]) == needle })
                else { continue }  // not present verbatim (never expected, but not this test's subject)
                for _ in 0..<4 {
                    var mutated = bytes
                    let at = start + Int(rng.next() % UInt64(needle.count))
                    mutated[at] = 0
                    cases += 1
                    XCTAssertThrowsError(try codec.decode(mutated), "envelope \(n) string \"\(string)\" NUL at \(at)") {
                        guard case .embeddedNUL = $0 as? WireError else { return XCTFail("envelope \(n) at \(at): \($0)") }
                    }
                }
            }
        }
        print("fuzz[nul] cases=\(cases)")
        XCTAssertGreaterThan(cases, 200)
    }
}
