/// The records of one correlation id as a causal tree: a record's parent is the record whose
/// envelope id equals its causation id. Records whose parent is not in the log (or that have no
/// causation id) are roots. A value type, ready for a CLI to print.
public struct AuditTrace: Sendable, Hashable {
    /// One record and the records it caused, ordered by sequence.
    public struct Node: Sendable, Hashable {
        /// The record.
        public var record: AuditRecord
        /// Records whose causation id is this record's envelope id.
        public var children: [Node]
    }

    /// The correlation id traced.
    public var correlationID: String
    /// Every record of the correlation id, ordered by sequence.
    public var records: [AuditRecord]
    /// The roots of the tree (true roots and orphans), ordered by sequence.
    public var roots: [Node]

    /// Builds the tree over `records` (any order; they are sorted by sequence).
    ///
    /// Records are large values (a dozen reference-counted fields), so they are read in place
    /// by index and copied once, into their node; the stores return them already ordered by
    /// sequence, which is checked instead of sorting a second copy.
    public init(correlationID: String, records: [AuditRecord]) {
        self.correlationID = correlationID
        let isOrdered = records.indices.dropFirst().allSatisfy { records[$0 - 1].sequence <= records[$0].sequence }
        let sorted = isOrdered ? records : records.sorted { $0.sequence < $1.sequence }
        self.records = sorted

        var indexByEnvelope: [String: Int] = [:]
        indexByEnvelope.reserveCapacity(sorted.count)
        for index in sorted.indices where !sorted[index].input.envelopeID.isEmpty {
            if indexByEnvelope[sorted[index].input.envelopeID] == nil { indexByEnvelope[sorted[index].input.envelopeID] = index }
        }
        var children = [[Int]](repeating: [], count: sorted.count)
        var rootIndices: [Int] = []
        for index in sorted.indices {
            let cause = sorted[index].input.causationID
            if !cause.isEmpty, let parent = indexByEnvelope[cause], parent != index {
                children[parent].append(index)
            } else {
                rootIndices.append(index)
            }
        }
        // A causation cycle (only possible with forged data) has no root; break it at its
        // lowest sequence so every record appears exactly once.
        var placed = [Bool](repeating: false, count: sorted.count)
        func mark(_ index: Int) {
            var stack = [index]
            while let next = stack.popLast() {
                guard !placed[next] else { continue }
                placed[next] = true
                stack.append(contentsOf: children[next])
            }
        }
        rootIndices.forEach(mark)
        for index in sorted.indices where !placed[index] {
            rootIndices.append(index)
            mark(index)
        }
        rootIndices.sort()

        var visited = [Bool](repeating: false, count: sorted.count)
        func build(_ index: Int) -> Node {
            visited[index] = true
            let kids = children[index].filter { !visited[$0] }.map(build)
            return Node(record: sorted[index], children: kids)
        }
        roots = rootIndices.map(build)
    }

    /// An indented text rendering, one line per record:
    /// `#<sequence> <type> <source> id=<envelope id> [REJECTED: reason]`.
    public func rendered() -> String {
        var lines = ["correlation \(correlationID): \(records.count) record(s)"]
        func render(_ node: Node, depth: Int) {
            let input = node.record.input
            var line = String(repeating: "  ", count: depth + 1) + "#\(node.record.sequence) \(input.type) \(input.source) id=\(input.envelopeID)"
            if let reason = input.verification.reason { line += " [REJECTED: \(reason)]" }
            lines.append(line)
            node.children.forEach { render($0, depth: depth + 1) }
        }
        roots.forEach { render($0, depth: 0) }
        return lines.joined(separator: "\n")
    }
}
