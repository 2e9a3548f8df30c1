import XCTest
import MeshSigning
@testable import MeshAudit

final class MerkleTreeTests: XCTestCase {
    /// The RFC 6962 hasher vectors published with transparency-dev/merkle.
    func testPublishedHasherVectors() {
        XCTAssertEqual(Hex.encode(MerkleTree.emptyRoot), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Hex.encode(MerkleTree.leafHash([])), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        XCTAssertEqual(Hex.encode(MerkleTree.leafHash(Array("L123456".utf8))),
                       "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
        XCTAssertEqual(Hex.encode(MerkleTree.nodeHash(Array("N123".utf8), Array("N456".utf8))),
                       "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb")
        XCTAssertEqual(MerkleTree.root(leaves: []), MerkleTree.emptyRoot)
    }

    private func leaves(_ n: Int) -> [[UInt8]] { (0..<n).map { Array("leaf-\($0)".utf8) } }

    /// RFC 6962 §2.1 written literally as the reference.
    private func referenceRoot(_ data: ArraySlice<[UInt8]>) -> [UInt8] {
        if data.isEmpty { return MerkleTree.emptyRoot }
        if data.count == 1 { return MerkleTree.leafHash(data[data.startIndex]) }
        var k = 1
        while k * 2 < data.count { k *= 2 }
        return MerkleTree.nodeHash(referenceRoot(data.prefix(k)), referenceRoot(data.dropFirst(k)))
    }

    func testRootMatchesDefinitionForAllSizesUpTo70() {
        for n in 0...70 {
            let data = leaves(n)
            XCTAssertEqual(MerkleTree.root(leaves: data), referenceRoot(data[...]), "size \(n)")
        }
    }

    func testHandComputedThreeLeafTreePromotesTheOddLeaf() {
        let data = leaves(3)
        let expected = MerkleTree.nodeHash(MerkleTree.nodeHash(MerkleTree.leafHash(data[0]), MerkleTree.leafHash(data[1])),
                                           MerkleTree.leafHash(data[2]))
        XCTAssertEqual(MerkleTree.root(leaves: data), expected)
    }

    func testAccumulatorTracksEveryPrefix() {
        var accumulator = MerkleAccumulator()
        let data = leaves(40)
        for (index, leaf) in data.enumerated() {
            accumulator.append(leafData: leaf)
            XCTAssertEqual(accumulator.size, index + 1)
            XCTAssertEqual(accumulator.root, referenceRoot(data[...index]), "prefix \(index + 1)")
        }
    }

    func testInclusionProofsVerifyForEveryLeafOfOddSizes() {
        for n in [1, 2, 3, 5, 6, 7, 8, 11, 13, 16, 17, 31] {
            let data = leaves(n)
            let root = MerkleTree.root(leaves: data)
            for index in 0..<n {
                let proof = MerkleTree.inclusionProof(index: index, leaves: data)
                XCTAssertTrue(MerkleTree.verifyInclusion(leafData: data[index], index: index, treeSize: n, proof: proof, root: root),
                              "leaf \(index) of \(n)")
                XCTAssertLessThanOrEqual(proof.count, Int(log2(Double(n)).rounded(.up)), "proofs are O(log n)")
            }
        }
    }

    func testInclusionProofsRejectTampering() {
        let n = 13
        let data = leaves(n)
        let root = MerkleTree.root(leaves: data)
        let proof = MerkleTree.inclusionProof(index: 6, leaves: data)
        XCTAssertFalse(MerkleTree.verifyInclusion(leafData: Array("other".utf8), index: 6, treeSize: n, proof: proof, root: root))
        XCTAssertFalse(MerkleTree.verifyInclusion(leafData: data[6], index: 7, treeSize: n, proof: proof, root: root))
        // A proof binds the leaf to a (root, size) pair; a size with a different path shape fails.
        XCTAssertFalse(MerkleTree.verifyInclusion(leafData: data[6], index: 6, treeSize: 7, proof: proof, root: root))
        XCTAssertFalse(MerkleTree.verifyInclusion(leafData: data[6], index: 6, treeSize: n, proof: proof.dropLast(), root: root))
        XCTAssertFalse(MerkleTree.verifyInclusion(leafData: data[6], index: 6, treeSize: n, proof: proof + [root], root: root))
        XCTAssertFalse(MerkleTree.verifyInclusion(leafData: data[6], index: 13, treeSize: n, proof: proof, root: root))
        for position in proof.indices {
            for bit in [0, 7] {
                var flipped = proof
                flipped[position][bit / 8] ^= UInt8(1 << (bit % 8))
                XCTAssertFalse(MerkleTree.verifyInclusion(leafData: data[6], index: 6, treeSize: n, proof: flipped, root: root))
            }
        }
    }

    func testSingleLeafTreeHasEmptyProof() {
        let data = leaves(1)
        XCTAssertEqual(MerkleTree.inclusionProof(index: 0, leaves: data), [])
        XCTAssertTrue(MerkleTree.verifyInclusion(leafData: data[0], index: 0, treeSize: 1, proof: [],
                                                 root: MerkleTree.leafHash(data[0])))
    }
}
