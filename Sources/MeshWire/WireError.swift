/// Why bytes could not become a value (or a value could not become bytes).
///
/// Every case is a permanent property of the input: retrying will not help, so consumers
/// should dead-letter the record and move on. `description` says what to do.
public enum WireError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Input longer than the codec's limit; checked before any parsing.
    case oversize(byteCount: Int, limit: Int)
    /// protobuf-c could not parse the bytes (truncated, bad varint, wrong wire type, ...),
    /// or parsed them into a structure that is internally inconsistent.
    case malformedProtobuf(message: String, detail: String)
    /// A field that the contract requires is empty or absent (named in proto spelling).
    case missingRequiredField(String)
    /// CloudEvents `specversion` other than "1.0".
    case unsupportedSpecVersion(String)
    /// `schema_version` this build does not know (only 1 today).
    case unsupportedSchemaVersion(UInt32)
    /// `SealedEnvelope.format_version` this build does not know (only 1 today).
    case unsupportedSealedFormatVersion(UInt32)
    /// The payload is a oneof member newer than this build (field number given).
    case unknownPayload(fieldNumber: UInt32)
    /// The CloudEvents `type` does not name the payload actually carried.
    case typeMismatch(type: String, payloadKind: PayloadKind)
    /// A string field is not valid UTF-8 (protobuf requires it to be).
    case invalidUTF8(field: String)
    /// A string contains U+0000, which protobuf-c cannot carry (it uses C strings); raised
    /// on encode and on decode, so a value is never silently truncated. On decode `field` is
    /// the dotted proto path (e.g. `objective_submitted.title`).
    case embeddedNUL(field: String)
    /// A payload's `objective_id` is not the envelope's `correlation_id` (the contract makes
    /// them equal for ObjectiveSubmitted, ObjectiveCancelRequested and PlanCreated).
    case objectiveMismatch(field: String, objectiveID: String, correlationID: String)

    public var description: String {
        switch self {
        case let .oversize(count, limit):
            "input of \(count) bytes exceeds the \(limit)-byte limit; dead-letter it, or raise "
                + "EnvelopeCodec.maxEnvelopeBytes if such sizes are legitimate (move large artifacts out of band)"
        case let .malformedProtobuf(message, detail):
            "bytes are not a valid \(message) protobuf (\(detail)); the record is corrupt or not "
                + "from a mesh producer: dead-letter it"
        case let .missingRequiredField(field):
            "required field '\(field)' is empty or absent; the producer must set it"
        case let .unsupportedSpecVersion(version):
            "CloudEvents specversion '\(version)' is not supported (only \"1.0\"); fix the producer"
        case let .unsupportedSchemaVersion(version):
            "schema_version \(version) is not supported (only \(Envelope.currentSchemaVersion)); "
                + "upgrade this consumer or dead-letter the record"
        case let .unsupportedSealedFormatVersion(version):
            "sealed format_version \(version) is not supported (only \(SealedEnvelope.currentFormatVersion)); "
                + "upgrade this consumer or dead-letter the record"
        case let .unknownPayload(number):
            "payload field \(number) is unknown to this build; upgrade this consumer"
        case let .typeMismatch(type, kind):
            "type '\(type)' does not match the carried payload '\(kind.rawValue)'; "
                + "the producer is buggy or the record was tampered with: dead-letter it"
        case let .invalidUTF8(field):
            "string field '\(field)' is not valid UTF-8; dead-letter the record"
        case let .embeddedNUL(field):
            "string field '\(field)' contains a NUL character, which the wire cannot carry; "
                + "remove it before encoding (a received record carrying one is dead-lettered)"
        case let .objectiveMismatch(field, objectiveID, correlationID):
            "\(field) \"\(objectiveID)\" differs from correlation_id \"\(correlationID)\"; the objective id is the "
                + "correlation id: the producer must set both to the same value (a received record is dead-lettered)"
        }
    }
}
