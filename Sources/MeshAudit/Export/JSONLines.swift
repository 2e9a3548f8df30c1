import Foundation
import MeshSigning

/// JSON Lines rendering of export headers, records and trailers (sorted keys, one object per line).
enum JSONLines {
    static func header(_ header: ExportHeader) throws -> String {
        var object: [String: Any] = [
            "kind": "header",
            "format": header.format,
            "logId": header.logID,
            "exportedAtMicros": header.exportedAtMicros,
            "filter": filterObject(header.filter),
            "verification": verificationObject(header.report),
        ]
        object["lastCheckpoint"] = header.checkpoint.map(checkpointObject) ?? NSNull()
        return try line(object)
    }

    static func record(_ record: AuditRecord) throws -> String {
        let input = record.input
        var object: [String: Any] = [
            "kind": "record",
            "sequence": record.sequence,
            "recordedAtMicros": record.recordedAtMicros,
            "previousHash": Hex.encode(record.previousHash),
            "recordHash": Hex.encode(record.recordHash),
            "envelopeId": input.envelopeID,
            "type": input.type,
            "source": input.source,
            "subject": input.subject,
            "correlationId": input.correlationID,
            "causationId": input.causationID,
            "eventTimeMicros": input.eventTimeMicros,
            "verification": input.verification.label,
            "kafkaTopic": input.kafka.topic,
            "kafkaPartition": Int(input.kafka.partition),
            "kafkaOffset": input.kafka.offset,
            "kafkaTimestampMillis": input.kafka.timestampMillis,
            "rawSha256": SHA256Digest.hex(input.raw),
            "rawBase64": Data(input.raw).base64EncodedString(),
        ]
        object["signerKeyId"] = input.signerKeyID ?? NSNull()
        object["signerPrincipal"] = input.signerPrincipal ?? NSNull()
        object["rejectionReason"] = input.verification.reason ?? NSNull()
        return try line(object)
    }

    static func trailer(_ trailer: ExportTrailer) throws -> String {
        try line(["kind": "trailer", "recordCount": trailer.recordCount, "recordLinesSha256": trailer.recordLinesSHA256])
    }

    static func checkpointObject(_ checkpoint: AuditCheckpoint) -> [String: Any] {
        [
            "logId": checkpoint.logID,
            "sequence": checkpoint.sequence,
            "headHash": Hex.encode(checkpoint.headHash),
            "merkleRoot": Hex.encode(checkpoint.merkleRoot),
            "createdAtMicros": checkpoint.createdAtMicros,
            "keyId": checkpoint.signature.keyId,
            "algorithm": checkpoint.signature.algorithm.rawValue,
            "signatureBase64": Data(checkpoint.signature.bytes).base64EncodedString(),
        ]
    }

    static func verificationObject(_ report: VerificationReport) -> [String: Any] {
        var object: [String: Any] = [
            "valid": report.isValid,
            "summary": report.summary,
            "recordCount": report.recordCount,
            "checkpointCount": report.checkpointCount,
            "unanchoredRecords": report.unanchoredRecords,
        ]
        object["firstFailure"] = report.firstFailure.map {
            ["sequence": $0.sequence, "problem": $0.problem.rawValue, "detail": $0.detail] as [String: Any]
        } ?? NSNull()
        return object
    }

    static func filterObject(_ filter: AuditSearchFilter) -> [String: Any] {
        var object: [String: Any] = [:]
        object["type"] = filter.type
        object["source"] = filter.source
        object["subject"] = filter.subject
        object["correlationId"] = filter.correlationID
        object["eventTimeFromMicros"] = filter.eventTimeFromMicros
        object["eventTimeUntilMicros"] = filter.eventTimeUntilMicros
        object["verification"] = filter.verification?.rawValue
        object["afterSequence"] = filter.afterSequence
        object["limit"] = filter.limit
        return object
    }

    private static func line(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
