/// A disagreement inside the database itself (an index that does not match its table, a
/// damaged page), found by `AuditStore.storageProblems()`. Readers that go through such an
/// index see other rows than a table scan, so verify reports it.
public struct StorageProblem: Sendable, Hashable {
    /// The record concerned, when the check names one.
    public var sequence: Int64?
    /// What the database check said.
    public var detail: String

    /// A problem found by a storage check.
    public init(sequence: Int64?, detail: String) {
        self.sequence = sequence
        self.detail = detail
    }

    /// The row id in an SQLite integrity_check line such as "row 5 missing from index x".
    static func rowID(in line: String) -> Int64? {
        let words = line.split(separator: " ")
        guard let index = words.firstIndex(of: "row"), index + 1 < words.count else { return nil }
        return Int64(words[index + 1])
    }
}
