import MeshSigning

/// RFC 6962 (§2.1) Merkle tree hashing over SHA-256, with inclusion proofs (RFC 9162 §2.1.3);
/// consistency proofs are in `MerkleTreeNodes` and `verifyConsistency`.
/// Pure functions over leaf data; the audit log uses record hashes as leaf data.
///
/// - `MTH({}) = SHA-256("")`
/// - leaf hash `= SHA-256(0x00 ‖ data)`
/// - node hash `= SHA-256(0x01 ‖ left ‖ right)`, splitting `n` leaves at the largest power of
///   two smaller than `n` (odd subtrees are promoted, never duplicated).
public enum MerkleTree {
    /// SHA-256 of the empty string: the root of an empty tree.
    public static let emptyRoot = SHA256Digest.hash([UInt8]())

    /// The RFC 6962 leaf hash of `data`.
    public static func leafHash(_ data: [UInt8]) -> [UInt8] {
        prefixed(0x00, data, [])
    }

    /// The RFC 6962 interior node hash of two child hashes.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        prefixed(0x01, left, right)
    }

    /// SHA-256 of `prefix ‖ first ‖ second`, assembled on the stack (this runs about twice
    /// per appended record).
    private static func prefixed(_ prefix: UInt8, _ first: [UInt8], _ second: [UInt8]) -> [UInt8] {
        let count = 1 + first.count + second.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { buffer in
            buffer[0] = prefix
            _ = UnsafeMutableBufferPointer(rebasing: buffer[1...]).initialize(from: first)
            _ = UnsafeMutableBufferPointer(rebasing: buffer[(1 + first.count)...]).initialize(from: second)
            return SHA256Digest.hash(UnsafeBufferPointer(buffer))
        }
    }

    /// The tree head over `leaves` (leaf data, not yet leaf-hashed).
    public static func root(leaves: [[UInt8]]) -> [UInt8] {
        var accumulator = MerkleAccumulator()
        for leaf in leaves { accumulator.append(leafData: leaf) }
        return accumulator.root
    }

    /// The audit path proving that leaf `index` (0-based) is in the tree over `leaves`.
    /// - Precondition: `index < leaves.count`.
    public static func inclusionProof(index: Int, leaves: [[UInt8]]) -> [[UInt8]] {
        precondition(index >= 0 && index < leaves.count, "leaf index out of range")
        var nodes = MerkleTreeNodes()
        for leaf in leaves { nodes.append(leafData: leaf) }
        // In range by the precondition.
        return try! nodes.inclusionProof(index: index, treeSize: leaves.count)
    }

    /// True when `proof` shows that a leaf with `leafData` sits at `index` in a tree of
    /// `treeSize` leaves whose root is `root` (RFC 9162 §2.1.3.2).
    public static func verifyInclusion(leafData: [UInt8], index: Int, treeSize: Int, proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard index >= 0, index < treeSize else { return false }
        var fn = index
        var sn = treeSize - 1
        var hash = leafHash(leafData)
        for sibling in proof {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                hash = nodeHash(sibling, hash)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                hash = nodeHash(hash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && hash == root
    }

    /// Largest power of two strictly smaller than `n` (n ≥ 2).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}

/// Incremental RFC 6962 tree head: keeps one hash per perfect subtree on the right edge (at most
/// 64), so appending a leaf and reading the root both cost O(log n).
public struct MerkleAccumulator: Sendable, Hashable {
    /// Roots of the perfect subtrees, largest (leftmost) first; their sizes are the binary
    /// digits of `size`.
    private var subtrees: [(hash: [UInt8], height: Int)] = []
    /// Number of leaves appended.
    public private(set) var size: Int = 0

    /// An empty accumulator.
    public init() {}

    /// Appends one leaf given its data (it is leaf-hashed here).
    public mutating func append(leafData: [UInt8]) {
        var hash = MerkleTree.leafHash(leafData)
        var height = 0
        while let last = subtrees.last, last.height == height {
            subtrees.removeLast()
            hash = MerkleTree.nodeHash(last.hash, hash)
            height += 1
        }
        subtrees.append((hash, height))
        size += 1
    }

    /// The tree head over every leaf appended so far.
    public var root: [UInt8] {
        guard var hash = subtrees.last?.hash else { return MerkleTree.emptyRoot }
        for subtree in subtrees.dropLast().reversed() {
            hash = MerkleTree.nodeHash(subtree.hash, hash)
        }
        return hash
    }

    public static func == (lhs: MerkleAccumulator, rhs: MerkleAccumulator) -> Bool {
        lhs.size == rhs.size && lhs.root == rhs.root
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(size)
        hasher.combine(root)
    }
}
