import Foundation

/// How many of a kind of record may be written per window: at most `limit` per `windowSeconds`.
/// The ones past it are counted and that count is handed to the next one admitted, so a flood
/// (refused bearer tokens cost a client nothing to send) shows in the trail as a number
/// instead of one envelope per request.
public struct RecordingWindow: Sendable, Equatable {
    public let limit: Int
    public let windowSeconds: Int64
    private var windowStart: Int64 = .min
    private var admitted = 0
    private var held = 0

    public init(limit: Int, windowSeconds: Int64) {
        self.limit = limit
        self.windowSeconds = windowSeconds
    }

    /// nil: do not record this one (it is counted). Otherwise record it, mentioning the number
    /// returned: how many were not recorded since the last record.
    public mutating func admit(now: Int64) -> Int? {
        if windowStart == .min || now - windowStart >= windowSeconds {
            windowStart = now
            admitted = 0
        }
        guard admitted < limit else {
            held += 1
            return nil
        }
        admitted += 1
        defer { held = 0 }
        return held
    }
}

/// A `RecordingWindow` shared by the requests of one console replica.
final class SharedRecordingWindow: @unchecked Sendable {
    private let lock = NSLock()
    private var window: RecordingWindow

    init(_ window: RecordingWindow) { self.window = window }

    func admit(now: Int64) -> Int? { lock.withLock { window.admit(now: now) } }
}
