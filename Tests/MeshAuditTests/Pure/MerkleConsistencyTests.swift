import XCTest
import MeshSigning
@testable import MeshAudit

final class MerkleConsistencyTests: XCTestCase {
    private func leaves(_ n: Int) -> [[UInt8]] { (0..<n).map { Array("leaf-\($0)".utf8) } }

    private func nodes(_ data: [[UInt8]]) -> MerkleTreeNodes {
        var nodes = MerkleTreeNodes()
        for leaf in data { nodes.append(leafData: leaf) }
        return nodes
    }

    /// RFC 6962 §2.1 MTH written literally.
    private func referenceRoot(_ data: ArraySlice<[UInt8]>) -> [UInt8] {
        if data.isEmpty { return MerkleTree.emptyRoot }
        if data.count == 1 { return MerkleTree.leafHash(data[data.startIndex]) }
        let k = MerkleTree.split(data.count)
        return MerkleTree.nodeHash(referenceRoot(data.prefix(k)), referenceRoot(data.dropFirst(k)))
    }

    /// RFC 6962 §2.1.2 SUBPROOF written literally, as the reference for the unrolled version.
    private func referenceSubproof(_ m: Int, _ data: ArraySlice<[UInt8]>, _ wholeOldTree: Bool) -> [[UInt8]] {
        if m == data.count { return wholeOldTree ? [] : [referenceRoot(data)] }
        let k = MerkleTree.split(data.count)
        if m <= k { return referenceSubproof(m, data.prefix(k), wholeOldTree) + [referenceRoot(data.dropFirst(k))] }
        return referenceSubproof(m - k, data.dropFirst(k), false) + [referenceRoot(data.prefix(k))]
    }

    /// The eight leaves of the RFC 6962 test data (certificate-transparency and
    /// transparency-dev/merkle), with their published tree heads and consistency proofs.
    private let publishedLeaves: [[UInt8]] = [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57], Array(0x60...0x6f),
    ]

    func testPublishedRootsAndConsistencyProofs() throws {
        let tree = nodes(publishedLeaves)
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ]
        for (index, root) in roots.enumerated() {
            XCTAssertEqual(Hex.encode(try tree.root(treeSize: index + 1)), root, "size \(index + 1)")
        }
        let proofs: [(Int, Int, [String])] = [
            (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
            (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
            (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        ]
        for (old, new, expected) in proofs {
            let proof = try tree.consistencyProof(oldSize: old, newSize: new)
            XCTAssertEqual(proof.map(Hex.encode), expected, "\(old) → \(new)")
            XCTAssertTrue(MerkleTree.verifyConsistency(oldSize: old, newSize: new, oldRoot: try tree.root(treeSize: old),
                                                       newRoot: try tree.root(treeSize: new), proof: proof))
        }
    }

    /// Every pair of sizes up to 40: the proof is RFC 6962's, and it verifies with the two roots.
    func testEveryPairOfSizesProvesAndVerifies() throws {
        let data = leaves(40)
        let tree = nodes(data)
        for new in 1...data.count {
            let newRoot = referenceRoot(data.prefix(new))
            XCTAssertEqual(try tree.root(treeSize: new), newRoot, "root of \(new)")
            for old in 1...new {
                let proof = try tree.consistencyProof(oldSize: old, newSize: new)
                XCTAssertEqual(proof, old == new ? [] : referenceSubproof(old, data.prefix(new), true), "\(old) → \(new)")
                XCTAssertTrue(MerkleTree.verifyConsistency(oldSize: old, newSize: new, oldRoot: referenceRoot(data.prefix(old)),
                                                           newRoot: newRoot, proof: proof), "\(old) → \(new)")
            }
        }
    }

    /// A rewritten leaf, a wrong root, a wrong old size or an altered proof hash all fail.
    func testTamperedLeafWrongRootWrongOldSizeAndAlteredProofFail() throws {
        let data = leaves(21)
        let tree = nodes(data)
        for new in 2...data.count {
            for old in 1..<new {
                let oldRoot = try tree.root(treeSize: old)
                let newRoot = try tree.root(treeSize: new)
                let proof = try tree.consistencyProof(oldSize: old, newSize: new)
                func verifies(_ oldSize: Int, _ newSize: Int, _ oldRoot: [UInt8], _ newRoot: [UInt8], _ proof: [[UInt8]]) -> Bool {
                    MerkleTree.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
                }
                // History rewritten below the old size: the rewritten tree cannot prove the old head.
                for changed in [0, old - 1] {
                    var rewritten = data.prefix(new).map { $0 }
                    rewritten[changed] = Array("forged".utf8)
                    let forged = nodes(rewritten)
                    XCTAssertFalse(verifies(old, new, oldRoot, try forged.root(treeSize: new),
                                            try forged.consistencyProof(oldSize: old, newSize: new)), "leaf \(changed), \(old) → \(new)")
                }
                var flipped = newRoot
                flipped[0] ^= 1
                XCTAssertFalse(verifies(old, new, oldRoot, flipped, proof), "new root, \(old) → \(new)")
                flipped = oldRoot
                flipped[31] ^= 1
                XCTAssertFalse(verifies(old, new, flipped, newRoot, proof), "old root, \(old) → \(new)")
                if old > 1 { XCTAssertFalse(verifies(old - 1, new, oldRoot, newRoot, proof), "old size - 1, \(old) → \(new)") }
                if old + 1 < new { XCTAssertFalse(verifies(old + 1, new, oldRoot, newRoot, proof), "old size + 1, \(old) → \(new)") }
                // The new size is not tested the same way: a proof fixes it only up to the
                // shape of the right edge (3 and 4 leaves walk alike from leaf 1), which is why
                // a tree head's size is covered by the checkpoint signature together with its root.
                for index in proof.indices {
                    var altered = proof
                    altered[index][5] ^= 0x80
                    XCTAssertFalse(verifies(old, new, oldRoot, newRoot, altered), "proof hash \(index), \(old) → \(new)")
                }
                XCTAssertFalse(verifies(old, new, oldRoot, newRoot, proof + [newRoot]), "longer proof, \(old) → \(new)")
                if !proof.isEmpty { XCTAssertFalse(verifies(old, new, oldRoot, newRoot, proof.dropLast()), "shorter proof, \(old) → \(new)") }
            }
        }
    }

    func testEqualSizesNeedAnEmptyProofAndEqualRoots() throws {
        let tree = nodes(leaves(5))
        let root = try tree.root(treeSize: 5)
        XCTAssertEqual(try tree.consistencyProof(oldSize: 5, newSize: 5), [])
        XCTAssertTrue(MerkleTree.verifyConsistency(oldSize: 5, newSize: 5, oldRoot: root, newRoot: root, proof: []))
        XCTAssertFalse(MerkleTree.verifyConsistency(oldSize: 5, newSize: 5, oldRoot: root, newRoot: try tree.root(treeSize: 4), proof: []))
        XCTAssertFalse(MerkleTree.verifyConsistency(oldSize: 0, newSize: 5, oldRoot: MerkleTree.emptyRoot, newRoot: root, proof: []))
    }

    func testSizesOutsideTheTreeAreTypedErrors() {
        let tree = nodes(leaves(5))
        XCTAssertThrowsError(try tree.consistencyProof(oldSize: 0, newSize: 5)) {
            XCTAssertEqual($0 as? MerkleProofError, .sizesOutOfRange(oldSize: 0, newSize: 5, treeSize: 5))
        }
        XCTAssertThrowsError(try tree.consistencyProof(oldSize: 3, newSize: 6))
        XCTAssertThrowsError(try tree.consistencyProof(oldSize: 4, newSize: 3))
        XCTAssertThrowsError(try tree.inclusionProof(index: 5, treeSize: 5))
    }

    /// Inclusion proofs read from the nodes verify for every leaf of every size up to 33.
    func testInclusionProofsForEveryLeafOfEverySize() throws {
        let data = leaves(33)
        let tree = nodes(data)
        for size in 1...data.count {
            let root = try tree.root(treeSize: size)
            for index in 0..<size {
                let proof = try tree.inclusionProof(index: index, treeSize: size)
                XCTAssertTrue(MerkleTree.verifyInclusion(leafData: data[index], index: index, treeSize: size, proof: proof, root: root),
                              "leaf \(index) of \(size)")
            }
        }
    }
}
