import MeshWire

/// Which role instances are alive, folded from their agent cards (``AgentHeartbeat``, on the
/// compacted cards topic). Pure: the cards and the clock come in, rows come out; `meshctl
/// agents` and `meshctl status` print them.
public struct AgentRoster: Sendable, Equatable {
    public enum Liveness: String, Sendable, Equatable, Comparable {
        /// A card arrived within three of its intervals.
        case live
        /// No card for longer: the instance crashed, hangs or cannot reach the broker.
        case stale
        /// Its last card said it was shutting down.
        case stopped

        public static func < (a: Liveness, b: Liveness) -> Bool { a.order < b.order }
        private var order: Int { self == .live ? 0 : self == .stale ? 1 : 2 }
    }

    public struct Entry: Sendable, Equatable {
        public var card: AgentHeartbeat
        /// When the latest card was made (the envelope's time).
        public var seenUnixMicros: Int64
        public var liveness: Liveness
        public var ageMicros: Int64
    }

    /// The latest card per instance, by role then instance.
    public let entries: [Entry]

    /// Cards are believed only for the role that signed them: `signedBy` names the signing
    /// role of each card (a card naming another role is dropped, so one key cannot make
    /// another role look alive). Cards with no interval count as live for `defaultInterval`.
    public init(cards: [(card: AgentHeartbeat, timeUnixMicros: Int64, signedBy: String)], nowUnixMicros: Int64,
                defaultIntervalMicros: Int64 = 10_000_000) {
        var latest: [String: (AgentHeartbeat, Int64)] = [:]
        for (card, time, signer) in cards where card.role == signer && !card.agentID.isEmpty {
            let key = card.role + "\u{0}" + card.agentID
            if let known = latest[key], known.1 >= time { continue }
            latest[key] = (card, time)
        }
        entries = latest.values.map { card, time in
            let interval = card.intervalMillis > 0 ? Int64(card.intervalMillis) * 1000 : defaultIntervalMicros
            let age = max(0, nowUnixMicros - time)
            let liveness: Liveness = card.stopping ? .stopped : age <= 3 * interval ? .live : .stale
            return Entry(card: card, seenUnixMicros: time, liveness: liveness, ageMicros: age)
        }.sorted { ($0.card.role, $0.card.agentID) < ($1.card.role, $1.card.agentID) }
    }

    /// Live instances of `role`.
    public func live(_ role: String) -> [Entry] { entries.filter { $0.card.role == role && $0.liveness == .live } }

    /// Why `role` cannot take work now, or `nil` when an instance of it is live: "no live
    /// instance (last seen 5m ago)", or "(never seen)".
    public func absence(of role: String, now: Int64) -> String? {
        guard live(role).isEmpty else { return nil }
        guard let last = entries.filter({ $0.card.role == role }).max(by: { $0.seenUnixMicros < $1.seenUnixMicros }) else {
            return "no live \(role) instance (none ever seen)"
        }
        let how = last.liveness == .stopped ? "stopped" : "last seen"
        return "no live \(role) instance (\(how) \(Self.age(now - last.seenUnixMicros)) ago)"
    }

    /// A short age like kubectl's: 42s, 5m, 3h, 2d.
    public static func age(_ micros: Int64) -> String {
        let seconds = max(0, micros / 1_000_000)
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7_200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3_600)h" }
        return "\(seconds / 86_400)d"
    }
}
