import Foundation
import MeshTransport

/// What a worker knows about one partition number it owns: the envelope ids it applied
/// (outputs acknowledged) or is applying, the inputs parked for their cause, and the order in
/// which its state records may be published. Forgotten as a whole when the partition is
/// revoked: the new owner judges redeliveries by its own memory, and a partition assigned
/// again starts from what was committed.
final class PartitionProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var applied: RecentIDs<EnvelopeFingerprint>
    private var applying: [String: EnvelopeFingerprint] = [:]
    private var held: HeldInputs<InboundEnvelope>
    private var order = StateRecordOrder()
    private var releases: [UInt64: @Sendable (StateRecordOrder.Release) -> Void] = [:]

    init(recentIDCapacity: Int, heldCapacity: Int) {
        applied = RecentIDs(capacity: recentIDCapacity)
        held = HeldInputs(capacity: heldCapacity)
    }

    // MARK: Seen means applied

    /// How `inbound` relates to an envelope with its id that was applied here or is being
    /// applied (its outputs await the broker), or `nil` when its id is new here.
    func repeatOf(_ inbound: InboundEnvelope) -> EnvelopeFingerprint.Repeat? {
        let id = inbound.envelope.id
        guard let first = lock.withLock({ applied[id] ?? applying[id] }) else { return nil }
        return EnvelopeFingerprint(inbound).compared(to: first, id: id)
    }

    func beginApplying(_ inbound: InboundEnvelope) {
        let fingerprint = EnvelopeFingerprint(inbound)
        lock.withLock { applying[inbound.envelope.id] = fingerprint }
    }

    /// `id`'s outputs were acknowledged: a redelivery of it is a duplicate from now on.
    func finishApplying(_ id: String) {
        lock.withLock {
            if let fingerprint = applying.removeValue(forKey: id) { applied.insert(id, fingerprint) }
        }
    }

    /// `id`'s outputs were given up: it is read and applied again.
    func abandonApplying(_ id: String) {
        _ = lock.withLock { applying.removeValue(forKey: id) }
    }

    // MARK: Held inputs

    /// Parks `inbound`; returns the oldest parked input when the bound is exceeded.
    func hold(_ inbound: InboundEnvelope, _ hold: HoldInput) -> HeldInputs<InboundEnvelope>.Entry? {
        lock.withLock { held.hold(inbound, hold, at: .now) }
    }

    func takeHeld(waitingFor key: String) -> [HeldInputs<InboundEnvelope>.Entry] {
        lock.withLock { held.count == 0 ? [] : held.take(waitingFor: key) }
    }

    func takeExpired(heldAtOrBefore cutoff: ContinuousClock.Instant) -> [HeldInputs<InboundEnvelope>.Entry] {
        lock.withLock { held.count == 0 ? [] : held.takeExpired(heldAtOrBefore: cutoff) }
    }

    var heldCount: Int { lock.withLock { held.count } }

    // MARK: State records

    /// A ticket for an input with state records; `release` runs once its turn came.
    func takeTicket(release: @escaping @Sendable (StateRecordOrder.Release) -> Void) -> UInt64 {
        lock.withLock {
            let ticket = order.take()
            releases[ticket] = release
            return ticket
        }
    }

    /// The event outputs of `ticket`'s input were settled; runs the releases whose turn came,
    /// in order, outside the lock.
    func settle(_ ticket: UInt64, abandoned: Bool) {
        let due: [(StateRecordOrder.Release, @Sendable (StateRecordOrder.Release) -> Void)] = lock.withLock {
            order.settle(ticket, abandoned: abandoned).compactMap { release in
                releases.removeValue(forKey: release.ticket).map { (release, $0) }
            }
        }
        for (release, body) in due { body(release) }
    }
}
