import MeshSigning

/// What a writer checks before appending to a store it reopens: that the database still holds
/// the tree the newest anchored checkpoint of its log names. Without it a sink restarted on a
/// database whose history was rewritten (chain recomputed) would carry on from the rewritten
/// head and sign the rewrite in its next checkpoint.
public enum AnchoredStartCheck {
    /// Why the writer must not start.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// The anchors hold checkpoints of other logs only: the database was replaced.
        case anotherLog(storeLogID: String, anchoredLogIDs: [String])
        /// The stored tree does not extend the newest anchored head.
        case notExtended(sequence: Int64, detail: String)
        /// The stored records do not run 1, 2, 3…
        case gap(StoredTreeGap)

        public var description: String {
            let advice = "Do not append to this database: run `meshctl audit verify --anchor …` to see what was changed, "
                + "and restore the database from a copy that verifies."
            switch self {
            case .anotherLog(let store, let anchored):
                return "the anchors hold checkpoints of log(s) \(anchored.joined(separator: ", ")) only, but this database holds "
                    + "log \(store): the database was replaced by another one. \(advice)"
            case .notExtended(let sequence, let detail):
                return "this database no longer reproduces the anchored checkpoint at sequence \(sequence): \(detail). \(advice)"
            case .gap(let gap):
                return "\(gap.description). \(advice)"
            }
        }
    }

    /// The outcome of a check that passed.
    public struct Outcome: Sendable, Equatable {
        /// The newest anchored checkpoint of this log, proven extended by the stored tree
        /// (nil when the anchors hold none yet: a first start).
        public var checked: AuditCheckpoint?
        /// The stored tree's size and root.
        public var storedTree: MerkleTreeHead
        /// Anchored checkpoints whose signature does not verify with `trust`: ignored, since
        /// anyone can append a line to an anchor file.
        public var ignoredUnsigned: Int
    }

    /// Checks `store` against the newest checkpoint in `anchors` that is signed by a key of
    /// `trust` and names the store's log.
    /// - Throws: `Refusal`, or the store's read error.
    public static func check(_ store: AuditStore, anchors: [AuditCheckpoint], trust: TrustStore) throws -> Outcome {
        let signed = anchors.filter { (try? $0.verifySignature(trust: trust)) != nil }
        let tree: MerkleTreeNodes
        do { tree = try store.merkleTree() } catch let gap as StoredTreeGap { throw Refusal.gap(gap) }
        var outcome = Outcome(checked: nil, storedTree: tree.head, ignoredUnsigned: anchors.count - signed.count)
        let ours = signed.filter { $0.logID == store.logID }
        guard let newest = ours.max(by: { $0.sequence < $1.sequence }) else {
            if !signed.isEmpty {
                throw Refusal.anotherLog(storeLogID: store.logID, anchoredLogIDs: Array(Set(signed.map(\.logID))).sorted())
            }
            return outcome
        }
        if let problem = AnchoredHeadProof(anchor: newest, tree: tree).problem {
            throw Refusal.notExtended(sequence: newest.sequence, detail: problem)
        }
        outcome.checked = newest
        return outcome
    }
}
