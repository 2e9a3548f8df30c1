/// A consistency or inclusion proof asked for sizes the tree does not have.
public enum MerkleProofError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `0 < oldSize ≤ newSize ≤ treeSize` does not hold.
    case sizesOutOfRange(oldSize: Int, newSize: Int, treeSize: Int)
    /// `0 ≤ index < treeSize ≤ size` does not hold.
    case indexOutOfRange(index: Int, treeSize: Int, size: Int)

    public var description: String {
        switch self {
        case .sizesOutOfRange(let old, let new, let size):
            return "a consistency proof needs 0 < old size ≤ new size ≤ \(size) (the log's size); asked for \(old) → \(new)"
        case .indexOutOfRange(let index, let treeSize, let size):
            return "an inclusion proof needs leaf index < tree size ≤ \(size) (the log's size); asked for leaf \(index) in a tree of \(treeSize)"
        }
    }
}

/// A tree size and its RFC 6962 root.
public struct MerkleTreeHead: Sendable, Hashable {
    public var size: Int
    public var root: [UInt8]

    public init(size: Int, root: [UInt8]) {
        self.size = size
        self.root = root
    }
}

/// Every node of the RFC 6962 tree over a growing list of leaves, kept by level, so the proofs
/// between any two sizes up to `size` are read in O(log n) hashes instead of rebuilding subtrees.
///
/// Level 0 holds the leaf hashes; level h the roots of the perfect subtrees of 2^h leaves that
/// start at multiples of 2^h. Every node of a tree of any size n ≤ `size` is either one of
/// those or splits into them along the right edge (O(log n) hashes). Each level is one flat
/// buffer of 32-byte hashes: about 64 bytes per leaf in all.
public struct MerkleTreeNodes: Sendable {
    private static let width = 32
    private var levels: [[UInt8]] = []
    /// Number of leaves appended.
    public private(set) var size = 0

    /// An empty tree.
    public init() {}

    /// Appends one leaf given its data (it is leaf-hashed here).
    public mutating func append(leafData: [UInt8]) {
        var hash = MerkleTree.leafHash(leafData)
        var level = 0
        while true {
            if levels.count == level { levels.append([]) }
            levels[level].append(contentsOf: hash)
            let count = levels[level].count / Self.width
            // A left sibling completes a perfect subtree one level up.
            guard count % 2 == 0 else { break }
            hash = MerkleTree.nodeHash(node(level, count - 2), node(level, count - 1))
            level += 1
        }
        size += 1
    }

    /// The tree head over the first `treeSize` leaves (`MerkleTree.emptyRoot` for none).
    public func root(treeSize: Int) throws -> [UInt8] {
        guard treeSize >= 0, treeSize <= size else { throw MerkleProofError.sizesOutOfRange(oldSize: treeSize, newSize: treeSize, treeSize: size) }
        return treeSize == 0 ? MerkleTree.emptyRoot : hash(0..<treeSize)
    }

    /// The size and root of the whole tree.
    public var head: MerkleTreeHead { MerkleTreeHead(size: size, root: size == 0 ? MerkleTree.emptyRoot : hash(0..<size)) }

    /// RFC 6962 §2.1.1 PATH(index, D[0:treeSize]): the audit path of leaf `index` (0-based).
    public func inclusionProof(index: Int, treeSize: Int) throws -> [[UInt8]] {
        guard index >= 0, index < treeSize, treeSize <= size else {
            throw MerkleProofError.indexOutOfRange(index: index, treeSize: treeSize, size: size)
        }
        var proof: [[UInt8]] = []
        var range = 0..<treeSize
        // Walk down from the root; the siblings met are the path, leaf end first.
        while range.count > 1 {
            let middle = range.lowerBound + MerkleTree.split(range.count)
            if index < middle {
                proof.append(hash(middle..<range.upperBound))
                range = range.lowerBound..<middle
            } else {
                proof.append(hash(range.lowerBound..<middle))
                range = middle..<range.upperBound
            }
        }
        return proof.reversed()
    }

    /// RFC 6962 §2.1.2 PROOF(oldSize, D[0:newSize]): the hashes that prove the tree of
    /// `newSize` leaves extends the tree of `oldSize` leaves (empty when the sizes are equal).
    public func consistencyProof(oldSize: Int, newSize: Int) throws -> [[UInt8]] {
        guard oldSize > 0, oldSize <= newSize, newSize <= size else {
            throw MerkleProofError.sizesOutOfRange(oldSize: oldSize, newSize: newSize, treeSize: size)
        }
        var proof: [[UInt8]] = []
        var range = 0..<newSize
        var m = oldSize
        // SUBPROOF(m, D[range], wholeOldTree), unrolled: collect siblings root end first.
        var wholeOldTree = true
        while m != range.count {
            let k = MerkleTree.split(range.count)
            let middle = range.lowerBound + k
            if m <= k {
                proof.append(hash(middle..<range.upperBound))
                range = range.lowerBound..<middle
            } else {
                proof.append(hash(range.lowerBound..<middle))
                range = middle..<range.upperBound
                m -= k
                wholeOldTree = false
            }
        }
        // The old tree's own root is left out when the verifier already holds it.
        if !wholeOldTree { proof.append(hash(range)) }
        return proof.reversed()
    }

    /// MTH of the leaves in `range` (non-empty, within `size`).
    private func hash(_ range: Range<Int>) -> [UInt8] {
        let count = range.count
        if count & (count - 1) == 0 && range.lowerBound % count == 0 {
            return node(count.trailingZeroBitCount, range.lowerBound / count)
        }
        let middle = range.lowerBound + MerkleTree.split(count)
        return MerkleTree.nodeHash(hash(range.lowerBound..<middle), hash(middle..<range.upperBound))
    }

    private func node(_ level: Int, _ index: Int) -> [UInt8] {
        Array(levels[level][(index * Self.width)..<((index + 1) * Self.width)])
    }
}

extension MerkleTree {
    /// True when `proof` shows that the tree of `newSize` leaves with head `newRoot` extends
    /// the tree of `oldSize` leaves with head `oldRoot` (RFC 9162 §2.1.4.2): every leaf of the
    /// old tree is in the new one, unchanged and in place. Needs nothing but the two heads.
    public static func verifyConsistency(oldSize: Int, newSize: Int, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        guard oldSize > 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        // For a perfect old tree the proof omits its root: the verifier holds it.
        let path = oldSize & (oldSize - 1) == 0 ? [oldRoot] + proof : proof
        guard let first = path.first else { return false }
        var fn = oldSize - 1
        var sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var oldHash = first
        var newHash = first
        for sibling in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                oldHash = nodeHash(sibling, oldHash)
                newHash = nodeHash(sibling, newHash)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                newHash = nodeHash(newHash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && oldHash == oldRoot && newHash == newRoot
    }
}
