/// The most recent `capacity` envelope ids an instance applied, each with what it remembers
/// of its envelope (``EnvelopeFingerprint``), for telling a redelivery from a re-handled
/// input or a conflict. Bounded: older ids fall out first. Pure value type.
public struct RecentIDs<Value: Sendable>: Sendable {
    public let capacity: Int
    private var members: [String: Value] = [:]
    private var order: [String] = []
    private var head = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        order.reserveCapacity(capacity)
    }

    public func contains(_ id: String) -> Bool { members[id] != nil }

    public subscript(id: String) -> Value? { members[id] }

    /// Adds `id` with `value`, evicting the oldest when full. Returns `false` (and keeps the
    /// first value) if `id` was already there.
    @discardableResult
    public mutating func insert(_ id: String, _ value: Value) -> Bool {
        guard members[id] == nil else { return false }
        members[id] = value
        if order.count < capacity {
            order.append(id)
        } else {
            members[order[head]] = nil
            order[head] = id
            head = (head + 1) % capacity
        }
        return true
    }

    public var count: Int { members.count }
}
