/// How long an orchestrator keeps finished (completed, failed, canceled) plans in memory.
///
/// A finished plan ignores every later event, so it is only kept to recognise late and
/// redelivered events. Without a bound a long-running orchestrator would grow with every
/// objective it ever ran. Evicted plans leave their correlation id behind in a bounded
/// memory (``rememberedIDs``), so a redelivered `ObjectiveSubmitted` for an evicted plan is
/// still ignored instead of running the objective again.
public struct PlanRetention: Sendable, Hashable {
    /// Finished plans older than this (since the event that finished them) are evicted.
    public var maxAgeMicros: Int64
    /// At most this many finished plans are kept; the oldest go first.
    public var maxFinishedPlans: Int
    /// Correlation ids of evicted plans remembered; beyond it the longest evicted are forgotten.
    public var rememberedIDs: Int

    /// Ten minutes, 20,000 finished plans (a few KiB each), 200,000 remembered ids.
    public static let standard = PlanRetention(maxAgeMicros: 600_000_000, maxFinishedPlans: 20_000, rememberedIDs: 200_000)

    public init(maxAgeMicros: Int64, maxFinishedPlans: Int, rememberedIDs: Int) {
        self.maxAgeMicros = maxAgeMicros
        self.maxFinishedPlans = max(0, maxFinishedPlans)
        self.rememberedIDs = max(0, rememberedIDs)
    }
}

/// Ids in the order they were added, each with a time, with set lookup; the oldest leave
/// first. Equal when the same ids are held in the same order with the same times.
struct TimedIDQueue: Sendable, Hashable, Codable {
    struct Entry: Sendable, Hashable, Codable {
        var id: String
        var timeMicros: Int64
    }

    private var members: Set<String> = []
    private var entries: [Entry] = []
    /// Index of the oldest entry still held (taken entries are dropped in bulk).
    private var head = 0

    var count: Int { entries.count - head }
    var oldest: Entry? { head < entries.count ? entries[head] : nil }
    func contains(_ id: String) -> Bool { members.contains(id) }

    /// Adds `id` at `timeMicros` unless it is already held.
    mutating func add(_ id: String, at timeMicros: Int64) {
        guard members.insert(id).inserted else { return }
        entries.append(Entry(id: id, timeMicros: timeMicros))
    }

    /// Removes and returns the oldest entry.
    mutating func removeOldest() -> Entry? {
        guard let entry = oldest else { return nil }
        head += 1
        members.remove(entry.id)
        if head >= 1024 && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return entry
    }

    static func == (lhs: Self, rhs: Self) -> Bool { lhs.entries[lhs.head...] == rhs.entries[rhs.head...] }
    func hash(into hasher: inout Hasher) {
        for entry in entries[head...] { hasher.combine(entry) }
    }
}
