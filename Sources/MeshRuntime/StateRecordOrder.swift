/// When the state records (``OutboundEnvelope/Kind/state``) of one partition's inputs may be
/// published: in input order, and each only once the event outputs of its own input and of
/// every earlier one were settled (acknowledged, or dead-lettered with the input). Pure value
/// type; the worker performs what it returns.
///
/// A state record says "these inputs were applied". If it became durable while an earlier
/// output could still be lost, a crash would restore a state that skips the lost output for
/// good: the redelivered input is already applied and emits nothing.
struct StateRecordOrder: Sendable {
    /// What to do with the state records of a ticket whose turn came.
    enum Release: Sendable, Equatable {
        /// Every event output up to this input is settled: publish its state records.
        case publish(UInt64)
        /// An earlier input's outputs were abandoned (shutdown, revoke): this state may not
        /// be published either, and its input is read again.
        case abandon(UInt64)

        /// The ticket whose turn came.
        var ticket: UInt64 {
            switch self {
            case .publish(let ticket), .abandon(let ticket): ticket
            }
        }
    }

    private var nextTicket: UInt64 = 0
    /// Lowest ticket not yet released.
    private var frontier: UInt64 = 0
    private var settled: [UInt64: Bool] = [:]
    /// Set once a ticket was abandoned: every later one is abandoned too.
    private var broken = false

    init() {}

    /// A ticket for the next input with state records, in handling order.
    mutating func take() -> UInt64 {
        defer { nextTicket += 1 }
        return nextTicket
    }

    /// The event outputs of `ticket`'s input were settled (`abandoned`: they were given up
    /// and the input will be read again). Returns the tickets whose turn came, in order.
    mutating func settle(_ ticket: UInt64, abandoned: Bool = false) -> [Release] {
        settled[ticket] = abandoned
        var released: [Release] = []
        while let abandonedHere = settled.removeValue(forKey: frontier) {
            if abandonedHere { broken = true }
            released.append(broken ? .abandon(frontier) : .publish(frontier))
            frontier += 1
        }
        return released
    }

    /// Tickets taken and not yet released.
    var waiting: Int { Int(nextTicket - frontier) }
}
