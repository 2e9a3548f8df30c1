/// Inputs parked until their cause has been handled (see ``HoldInput``), in arrival order,
/// bounded. Pure value type: the worker decides what happens to what it returns.
struct HeldInputs<Input: Sendable>: Sendable {
    struct Entry: Sendable {
        var input: Input
        var hold: HoldInput
        var heldSince: ContinuousClock.Instant
    }

    let capacity: Int
    private(set) var entries: [Entry] = []

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// Parks `input`; returns the oldest entry when that makes the partition exceed its bound.
    mutating func hold(_ input: Input, _ hold: HoldInput, at now: ContinuousClock.Instant) -> Entry? {
        entries.append(Entry(input: input, hold: hold, heldSince: now))
        return entries.count > capacity ? entries.removeFirst() : nil
    }

    /// Takes every entry waiting for `key`, in arrival order.
    mutating func take(waitingFor key: String) -> [Entry] {
        guard entries.contains(where: { $0.hold.key == key }) else { return [] }
        let taken = entries.filter { $0.hold.key == key }
        entries.removeAll { $0.hold.key == key }
        return taken
    }

    /// Takes every entry parked at or before `cutoff`.
    mutating func takeExpired(heldAtOrBefore cutoff: ContinuousClock.Instant) -> [Entry] {
        guard entries.contains(where: { $0.heldSince <= cutoff }) else { return [] }
        let expired = entries.filter { $0.heldSince <= cutoff }
        entries.removeAll { $0.heldSince <= cutoff }
        return expired
    }

    var count: Int { entries.count }
}
