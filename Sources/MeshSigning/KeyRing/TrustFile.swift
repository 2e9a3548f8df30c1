import Foundation

/// One key as recorded in `trust.json`: its metadata and where its verification material is.
struct TrustEntry {
    var metadata: KeyMetadata
    /// Ed25519 keys: the raw public key.
    var publicKey: [UInt8]?
    /// HMAC keys: the secret file, relative to the ring directory.
    var secretFile: String?
}

/// Reads and writes `trust.json`, turning every defect into an error that names the file, the
/// key and the field.
///
/// ```json
/// { "format": "agentmesh-trust/1",
///   "keys": { "reviewer-20260314-9f2c01ab": { "algorithm": "ed25519", "principal": "reviewer",
///             "principalKind": "role", "status": "active", "created": "2026-03-14T09:30:00Z",
///             "publicKey": "<base64>" } } }
/// ```
/// HMAC entries carry `"secretFile": "private/<principal>/<keyId>.key"` instead of `publicKey`.
///
/// `"checkpointKeys": ["audit-sink-20260314-…"]` pins the keys whose signatures count on audit
/// checkpoints (signed tree heads). Only Ed25519 keys may be pinned: a verifier then holds a
/// public key only, so nobody who can verify a checkpoint can also forge one.
enum TrustFile {
    static let format = "agentmesh-trust/1"

    private struct Document: Codable {
        var format: String?
        var keys: [String: Entry]?
        var checkpointKeys: [String]?
    }

    private struct Entry: Codable {
        var algorithm: String?
        var principal: String?
        var principalKind: String?
        var status: String?
        var created: String?
        var publicKey: String?
        var secretFile: String?
    }

    // MARK: Reading

    static func read(_ path: String) throws -> [TrustEntry] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SigningError.fileSystem(path: path, reason: "cannot read the trust store (\(reason(error))); "
                + "create a key ring with meshctl keys init")
        }
        return try parse(data, path: path)
    }

    /// The key ids pinned as audit checkpoint signers, each checked to be an Ed25519 key of
    /// the file (empty when the file pins none).
    static func readCheckpointKeys(_ path: String) throws -> [String] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SigningError.fileSystem(path: path, reason: "cannot read the trust store (\(reason(error))); "
                + "create a key ring with meshctl keys init")
        }
        let entries = try parse(data, path: path)
        let pinned = (try? JSONDecoder().decode(Document.self, from: data))?.checkpointKeys ?? []
        for keyId in pinned {
            guard let entry = entries.first(where: { $0.metadata.keyId == keyId }) else {
                throw SigningError.malformedKeyFile(path: path, keyId: keyId, field: "checkpointKeys",
                                                    reason: "pins a key id that is not in \"keys\"")
            }
            guard entry.metadata.algorithm == .ed25519 else {
                throw SigningError.malformedKeyFile(
                    path: path, keyId: keyId, field: "checkpointKeys",
                    reason: "only ed25519 keys may sign checkpoints (an HMAC verifier could forge them)")
            }
        }
        return pinned
    }

    static func parse(_ data: Data, path: String) throws -> [TrustEntry] {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch let DecodingError.typeMismatch(type, context) {
            throw located(path, context.codingPath, "expected \(typeName(type))")
        } catch let DecodingError.valueNotFound(type, context) {
            throw located(path, context.codingPath, "expected \(typeName(type)), found null")
        } catch {
            throw SigningError.malformedKeyFile(path: path, keyId: nil, field: nil, reason: "not valid JSON (\(reason(error)))")
        }
        guard document.format == format else {
            let found = document.format.map { "\"\($0)\"" } ?? "missing"
            throw SigningError.malformedKeyFile(path: path, keyId: nil, field: "format", reason: "expected \"\(format)\", found \(found)")
        }
        guard let keys = document.keys else {
            throw SigningError.malformedKeyFile(path: path, keyId: nil, field: "keys", reason: "missing")
        }
        let entries = try keys.keys.sorted().map { keyId in try validate(keys[keyId]!, keyId: keyId, path: path) }
        try checkOneActiveKeyPerPrincipal(entries, path: path)
        return entries
    }

    private static func validate(_ entry: Entry, keyId: String, path: String) throws -> TrustEntry {
        func fail(_ field: String, _ reason: String) -> SigningError {
            .malformedKeyFile(path: path, keyId: keyId, field: field, reason: reason)
        }
        func required(_ value: String?, _ field: String) throws -> String {
            guard let value, !value.isEmpty else { throw fail(field, "missing") }
            return value
        }
        func choice<T: RawRepresentable & CaseIterable>(_ value: String?, _ field: String, _: T.Type) throws -> T where T.RawValue == String {
            let text = try required(value, field)
            guard let parsed = T(rawValue: text) else {
                throw fail(field, "\"\(text)\" is not one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return parsed
        }

        let algorithm = try choice(entry.algorithm, "algorithm", SigningAlgorithm.self)
        let principal = try required(entry.principal, "principal")
        do { try KeyNaming.validatePrincipal(principal) } catch { throw fail("principal", "\"\(principal)\" is not a valid principal name") }
        let kind = try choice(entry.principalKind, "principalKind", PrincipalKind.self)
        let status = try choice(entry.status, "status", KeyStatus.self)
        let createdText = try required(entry.created, "created")
        guard let created = Timestamp.parse(createdText) else {
            throw fail("created", "\"\(createdText)\" is not an ISO 8601 UTC time like 2026-03-14T09:30:00Z")
        }
        if kind == .person && algorithm != .ed25519 {
            throw fail("algorithm", "people must use ed25519 so their approvals are non-repudiable")
        }
        var result = TrustEntry(metadata: KeyMetadata(keyId: keyId, algorithm: algorithm, principal: principal,
                                                      principalKind: kind, status: status, created: created))
        switch algorithm {
        case .ed25519:
            let text = try required(entry.publicKey, "publicKey")
            guard let bytes = Data(base64Encoded: text) else { throw fail("publicKey", "not valid base64") }
            guard bytes.count == Ed25519.keyByteCount else {
                throw fail("publicKey", "an Ed25519 public key is \(Ed25519.keyByteCount) bytes, found \(bytes.count)")
            }
            result.publicKey = Array(bytes)
        case .hmacSHA256:
            let file = try required(entry.secretFile, "secretFile")
            guard !file.hasPrefix("/"), !file.split(separator: "/").contains("..") else {
                throw fail("secretFile", "\"\(file)\" must be a path inside the key ring (relative, no \"..\")")
            }
            result.secretFile = file
        }
        return result
    }

    private static func checkOneActiveKeyPerPrincipal(_ entries: [TrustEntry], path: String) throws {
        let active = Dictionary(grouping: entries.filter { $0.metadata.status == .active }, by: \.metadata.principal)
        for (principal, keys) in active.sorted(by: { $0.key < $1.key }) where keys.count > 1 {
            let ids = keys.map(\.metadata.keyId).sorted()
            throw SigningError.malformedKeyFile(
                path: path, keyId: ids[1], field: "status",
                reason: "\"\(principal)\" has \(keys.count) active keys (\(ids.joined(separator: ", "))); retire all but one")
        }
    }

    private static func located(_ path: String, _ codingPath: [CodingKey], _ reason: String) -> SigningError {
        let names = codingPath.map(\.stringValue)
        if names.count >= 3, names[0] == "keys" {
            return .malformedKeyFile(path: path, keyId: names[1], field: names[2], reason: reason)
        }
        if names.count == 2, names[0] == "keys" {
            return .malformedKeyFile(path: path, keyId: names[1], field: nil, reason: "\(reason) (each key must be an object)")
        }
        return .malformedKeyFile(path: path, keyId: nil, field: names.first, reason: reason)
    }

    private static func typeName(_ type: Any.Type) -> String {
        type == String.self ? "a string" : "an object"
    }

    private static func reason(_ error: Error) -> String {
        if let decoding = error as? DecodingError, case .dataCorrupted(let context) = decoding {
            return context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription
        }
        return error.localizedDescription
    }

    // MARK: Writing

    /// Writes `entries` atomically (temporary file, then rename), sorted for stable diffs.
    static func write(_ entries: [TrustEntry], checkpointKeys: [String] = [], to path: String) throws {
        var keys: [String: Entry] = [:]
        for entry in entries {
            let metadata = entry.metadata
            keys[metadata.keyId] = Entry(
                algorithm: metadata.algorithm.rawValue, principal: metadata.principal,
                principalKind: metadata.principalKind.rawValue, status: metadata.status.rawValue,
                created: Timestamp.format(metadata.created),
                publicKey: entry.publicKey.map { Data($0).base64EncodedString() }, secretFile: entry.secretFile)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(Document(format: format, keys: keys,
                                                   checkpointKeys: checkpointKeys.isEmpty ? nil : checkpointKeys))
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw SigningError.fileSystem(path: path, reason: "cannot write the trust store (\(error.localizedDescription))")
        }
    }
}

/// Whole-second ISO 8601 UTC timestamps, as used in `trust.json`.
enum Timestamp {
    static func format(_ date: Date) -> String { formatter().string(from: date) }
    static func parse(_ text: String) -> Date? { formatter().date(from: text) }
    /// `date` truncated to whole seconds, so it survives a write/read round trip unchanged.
    static func wholeSeconds(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }

    private static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }
}
