/// Which records `AuditStore.search` (and export) return. Unset fields do not filter; set
/// fields must all match. Results are ordered by sequence.
public struct AuditSearchFilter: Sendable, Hashable {
    /// Verification status filter.
    public enum Verification: String, Sendable, Hashable {
        /// Only records whose envelope verified.
        case verified
        /// Only records flagged as rejected.
        case rejected
    }

    /// Exact envelope type.
    public var type: String?
    /// Exact source (role or principal).
    public var source: String?
    /// Exact subject.
    public var subject: String?
    /// Exact correlation id.
    public var correlationID: String?
    /// Event time lower bound, inclusive, unix microseconds.
    public var eventTimeFromMicros: Int64?
    /// Event time upper bound, exclusive, unix microseconds.
    public var eventTimeUntilMicros: Int64?
    /// Verification status.
    public var verification: Verification?
    /// Only records with a sequence greater than this (for paging).
    public var afterSequence: Int64?
    /// Maximum number of records; nil for all.
    public var limit: Int?

    /// A filter; all parameters default to "any".
    public init(
        type: String? = nil, source: String? = nil, subject: String? = nil, correlationID: String? = nil,
        eventTimeFromMicros: Int64? = nil, eventTimeUntilMicros: Int64? = nil,
        verification: Verification? = nil, afterSequence: Int64? = nil, limit: Int? = nil
    ) {
        self.type = type
        self.source = source
        self.subject = subject
        self.correlationID = correlationID
        self.eventTimeFromMicros = eventTimeFromMicros
        self.eventTimeUntilMicros = eventTimeUntilMicros
        self.verification = verification
        self.afterSequence = afterSequence
        self.limit = limit
    }

    /// Every record.
    public static let all = AuditSearchFilter()
}
