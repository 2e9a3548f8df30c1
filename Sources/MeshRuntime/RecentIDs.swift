/// The most recent `capacity` envelope ids this instance processed, for dropping
/// redelivered duplicates. Bounded: older ids fall out first. Pure value type.
public struct RecentIDs: Sendable {
    public let capacity: Int
    private var members: Set<String> = []
    private var order: [String] = []
    private var head = 0

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        order.reserveCapacity(capacity)
    }

    public func contains(_ id: String) -> Bool { members.contains(id) }

    /// Adds `id`, evicting the oldest when full. Returns `false` if it was already there.
    @discardableResult
    public mutating func insert(_ id: String) -> Bool {
        guard members.insert(id).inserted else { return false }
        if order.count < capacity {
            order.append(id)
        } else {
            members.remove(order[head])
            order[head] = id
            head = (head + 1) % capacity
        }
        return true
    }

    public var count: Int { members.count }
}
