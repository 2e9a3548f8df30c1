/// Shared behaviour of the protobuf enums on the wire.
///
/// proto3 enums are open: a newer producer may send a number this build does not know.
/// Every conforming enum therefore has an `unrecognized(Int32)` case instead of failing to
/// decode; policy code decides whether an unknown value is acceptable (usually it is not).
///
/// Equality, hashing and `Codable` go through `rawValue` so that `.unrecognized(1)` and the
/// named case with number 1 are the same value, exactly as they are on the wire.
public protocol WireEnum: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible
where RawValue == Int32 {
    /// Never fails: numbers without a named case become `unrecognized`.
    init(rawValue: Int32)
    /// The proto enum value name (e.g. `TASK_STATE_COMPLETED`), for logs and audit trails.
    var protoName: String { get }
}

extension WireEnum {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// Encoded as the wire number so JSON audit copies stay lossless for unknown values.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(Int32.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { protoName }

    /// False for numbers this build has no name for.
    public var isRecognized: Bool { !protoName.hasPrefix("UNRECOGNIZED") }
}
