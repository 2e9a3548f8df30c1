import MeshSigning

/// An RFC 6962 consistency check of one anchored tree head against a tree built from stored
/// records: the proof is computed from the stored tree and verified with nothing but the
/// anchored root and the stored tree's root (`MerkleTree.verifyConsistency`), exactly as a
/// party holding only the two signed heads would.
public struct AnchoredHeadProof: Sendable, Equatable {
    /// The anchored head's size (records it covers).
    public var anchoredSize: Int
    /// The size of the tree it was checked against.
    public var currentSize: Int
    /// The root of that tree.
    public var currentRoot: [UInt8]
    /// The consistency proof from `anchoredSize` to `currentSize`.
    public var proof: [[UInt8]]
    /// Why the tree does not extend the anchored head, or nil when it does.
    public var problem: String?

    /// Checks `anchor` against the first `tree.size` stored records.
    public init(anchor: AuditCheckpoint, tree: MerkleTreeNodes) {
        anchoredSize = Int(anchor.sequence)
        currentSize = tree.size
        currentRoot = tree.head.root
        guard anchor.sequence >= 1, anchoredSize <= tree.size else {
            proof = []
            problem = "the anchored head covers \(anchor.sequence) record(s) but the store holds \(tree.size): "
                + "records \(tree.size + 1)…\(anchor.sequence) are gone"
            return
        }
        // Both sizes are within the tree here, so this cannot throw.
        proof = try! tree.consistencyProof(oldSize: anchoredSize, newSize: tree.size)
        if MerkleTree.verifyConsistency(oldSize: anchoredSize, newSize: currentSize, oldRoot: anchor.merkleRoot,
                                        newRoot: currentRoot, proof: proof) {
            problem = nil
        } else {
            problem = "the stored tree (size \(currentSize), root \(Hex.encode(currentRoot).prefix(16))…) is not an "
                + "extension of the anchored head (size \(anchoredSize), root \(Hex.encode(anchor.merkleRoot).prefix(16))…): "
                + "the RFC 6962 consistency proof fails, so records 1…\(anchoredSize) are not the ones anchored"
        }
    }
}

/// Stored records that do not run 1, 2, 3…, so no tree can be built over them.
public struct StoredTreeGap: Error, Sendable, Equatable, CustomStringConvertible {
    public var expected: Int64
    public var found: Int64
    public var description: String {
        "the store's records do not run 1, 2, 3…: expected sequence \(expected), found \(found) "
            + "(run `meshctl audit verify` to see what happened)"
    }
}

extension AuditStore {
    /// The RFC 6962 tree over the stored record hashes of records 1…`size` (every record when
    /// nil), read from the table in sequence order. Hashes are taken as stored, not recomputed:
    /// this answers "what tree does this database hold", `AuditVerifier` checks the rest.
    /// - Throws: `StoredTreeGap` when sequences are not contiguous from 1.
    public func merkleTree(size: Int64? = nil, pageSize: Int = 2_000) throws -> MerkleTreeNodes {
        var tree = MerkleTreeNodes()
        var gap: StoredTreeGap?
        try scan(afterSequence: 0, pageSize: pageSize) { page in
            for record in page {
                if let size, record.sequence > size { return false }
                guard record.sequence == Int64(tree.size) + 1 else {
                    gap = StoredTreeGap(expected: Int64(tree.size) + 1, found: record.sequence)
                    return false
                }
                tree.append(leafData: record.recordHash)
            }
            return true
        }
        if let gap { throw gap }
        return tree
    }
}
