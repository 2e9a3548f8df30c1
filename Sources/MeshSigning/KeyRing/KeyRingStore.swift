import Foundation

/// The key ring on disk: one directory holding the public trust store (`trust.json`) and every
/// principal's private keys (`private/<principal>/<keyId>.key`, mode 0600, directories 0700).
///
/// `meshctl keys init` creates it; every role loads its own signer and the trust store from it
/// at start-up. Roles sign with the algorithm chosen at `initialize`; people always get Ed25519
/// keys so their approvals are non-repudiable. HMAC entries in `trust.json` point at the secret
/// file, because an HMAC verifier needs the secret itself (see `SigningAlgorithm`).
///
/// These functions do file I/O and are meant for start-up and operator commands, not the
/// per-message path. Concurrent `rotate`/`revoke` calls on one ring are not serialised.
public enum KeyRingStore {
    /// Creates a key ring in `directory`: one key per role in `algorithm`, one Ed25519 key per
    /// person, all active.
    /// - Parameters:
    ///   - checkpointSigners: roles that sign audit checkpoints (the audit sink): their keys are
    ///     Ed25519 whatever `algorithm` says, and their key ids are pinned in `trust.json`
    ///     (`checkpointKeys`), so a checkpoint verifies only under one of them.
    ///   - overwrite: replace an existing ring (every existing key is deleted).
    ///   - now: creation time recorded for the keys (and used in their ids).
    /// - Returns: the metadata of the created keys, ordered by key id.
    /// - Throws: `keyRingExists` when a ring is present and `overwrite` is false;
    ///   `invalidPrincipalName` or `duplicatePrincipal` for unusable or repeated names; `fileSystem` on I/O failures.
    @discardableResult
    public static func initialize(
        at directory: String, roles: [String], people: [String], algorithm: SigningAlgorithm,
        checkpointSigners: [String] = [], overwrite: Bool = false, now: Date = Date()
    ) throws -> [KeyMetadata] {
        let layout = KeyRingLayout(directory: directory)
        var seen = Set<String>()
        for name in roles + people {
            try KeyNaming.validatePrincipal(name)
            guard seen.insert(name).inserted else { throw SigningError.duplicatePrincipal(name) }
        }
        for name in checkpointSigners where !roles.contains(name) {
            throw SigningError.noActiveKey(principal: name)
        }
        try prepareEmptyRing(layout, overwrite: overwrite)

        var entries: [TrustEntry] = []
        let principals = roles.map { ($0, PrincipalKind.role, checkpointSigners.contains($0) ? SigningAlgorithm.ed25519 : algorithm) }
            + people.map { ($0, PrincipalKind.person, SigningAlgorithm.ed25519) }
        for (principal, kind, keyAlgorithm) in principals {
            entries.append(try createKey(layout, principal: principal, kind: kind, algorithm: keyAlgorithm,
                                         now: now, existing: Set(entries.map(\.metadata.keyId))))
        }
        let pinned = entries.filter { checkpointSigners.contains($0.metadata.principal) }.map(\.metadata.keyId)
        try TrustFile.write(entries, checkpointKeys: pinned, to: layout.trustFile)
        return entries.map(\.metadata).sorted { $0.keyId < $1.keyId }
    }

    /// Gives `principal` a new active key (same algorithm and kind as its current key) and
    /// retires its current active key, which keeps verifying what it already signed.
    /// - Returns: the metadata of the new key.
    /// - Throws: `noActiveKey` when the ring has no key at all for `principal`.
    @discardableResult
    public static func rotate(principal: String, at directory: String, now: Date = Date()) throws -> KeyMetadata {
        let layout = KeyRingLayout(directory: directory)
        var entries = try TrustFile.read(layout.trustFile)
        var pinned = try TrustFile.readCheckpointKeys(layout.trustFile)
        let own = entries.filter { $0.metadata.principal == principal }
        // The active key decides algorithm and kind; after a revocation, the newest key does.
        guard let latest = own.first(where: { $0.metadata.status == .active }) ?? own.max(by: { $0.metadata.created < $1.metadata.created })
        else { throw SigningError.noActiveKey(principal: principal) }
        let fresh = try createKey(layout, principal: principal, kind: latest.metadata.principalKind,
                                  algorithm: latest.metadata.algorithm, now: now,
                                  existing: Set(entries.map(\.metadata.keyId)))
        for index in entries.indices where entries[index].metadata.principal == principal && entries[index].metadata.status == .active {
            entries[index].metadata.status = .retired
        }
        // A checkpoint signer's new key is pinned too; its old ones stay pinned so the
        // checkpoints they signed keep verifying.
        if own.contains(where: { pinned.contains($0.metadata.keyId) }) { pinned.append(fresh.metadata.keyId) }
        entries.append(fresh)
        try TrustFile.write(entries, checkpointKeys: pinned, to: layout.trustFile)
        return fresh.metadata
    }

    /// Marks `keyId` revoked: signatures by it stop verifying everywhere the trust store is
    /// reloaded. If it was its principal's active key, `rotate` that principal next.
    public static func revoke(keyId: String, at directory: String) throws {
        let layout = KeyRingLayout(directory: directory)
        var entries = try TrustFile.read(layout.trustFile)
        guard let index = entries.firstIndex(where: { $0.metadata.keyId == keyId }) else { throw SigningError.unknownKeyId(keyId) }
        entries[index].metadata.status = .revoked
        try TrustFile.write(entries, checkpointKeys: try TrustFile.readCheckpointKeys(layout.trustFile), to: layout.trustFile)
    }

    /// Metadata of every key in the ring, ordered by key id (no private material is read).
    public static func listKeys(in directory: String) throws -> [KeyMetadata] {
        try TrustFile.read(KeyRingLayout(directory: directory).trustFile).map(\.metadata)
    }

    /// The signer for `principal`'s active key.
    /// - Throws: `noActiveKey`; `insecurePermissions` when the key file is readable by group or
    ///   others; `malformedKeyFile` when it is not base64 of the right length, or (Ed25519) does
    ///   not match the public key in `trust.json`.
    public static func loadSigner(principal: String, from directory: String) throws -> MessageSigner {
        let layout = KeyRingLayout(directory: directory)
        let entries = try TrustFile.read(layout.trustFile)
        guard let entry = entries.first(where: { $0.metadata.principal == principal && $0.metadata.status == .active })
        else { throw SigningError.noActiveKey(principal: principal) }
        let metadata = entry.metadata
        let path = layout.keyFile(principal: principal, keyId: metadata.keyId)
        switch metadata.algorithm {
        case .hmacSHA256:
            let secretPath = entry.secretFile.map(layout.resolve(relative:)) ?? path
            var secret = try PrivateKeyFile.load(secretPath, keyId: metadata.keyId, length: HMACSecret.byteCount)
            defer { wipe(&secret) }
            return try MessageSigner(metadata: metadata, hmacSecret: secret)
        case .ed25519:
            var seed = try PrivateKeyFile.load(path, keyId: metadata.keyId, length: Ed25519.keyByteCount)
            defer { wipe(&seed) }
            let privateKey = try Ed25519PrivateKey(rawRepresentation: seed)
            guard privateKey.publicKey.rawRepresentation == entry.publicKey else {
                throw SigningError.malformedKeyFile(path: path, keyId: metadata.keyId, field: nil,
                                                    reason: "private key does not match the publicKey in trust.json; restore the right file or rotate")
            }
            return MessageSigner(metadata: metadata, ed25519: privateKey)
        }
    }

    /// The trust store of every key in the ring (active, retired and revoked; revoked keys are
    /// kept so their signatures are reported as revoked rather than unknown). HMAC keys need
    /// their secret files, which must be owner-only.
    public static func loadTrustStore(from directory: String) throws -> TrustStore {
        let layout = KeyRingLayout(directory: directory)
        var store = try TrustStore()
        for entry in try TrustFile.read(layout.trustFile) {
            switch entry.metadata.algorithm {
            case .ed25519:
                try store.insert(try VerificationKey.ed25519(entry.metadata, publicKey: entry.publicKey ?? []))
            case .hmacSHA256:
                let path = layout.resolve(relative: entry.secretFile ?? "")
                var secret = try PrivateKeyFile.load(path, keyId: entry.metadata.keyId, length: HMACSecret.byteCount)
                defer { wipe(&secret) }
                try store.insert(try VerificationKey.hmacSHA256(entry.metadata, secret: secret))
            }
        }
        return store
    }

    /// The trust store for audit checkpoints: only the Ed25519 public keys pinned by
    /// `checkpointKeys` in the trust file at `trustFile` (a ring's `trust.json`, or an auditor's
    /// copy of it). Needs no secret: an auditor can hold just this file. A checkpoint signed by
    /// any other key, including every other role's, is then an unknown key: a forgery.
    /// - Throws: `noCheckpointKey` when the file pins none (a ring made before pinning).
    public static func loadCheckpointTrust(trustFile: String) throws -> TrustStore {
        let pinned = try TrustFile.readCheckpointKeys(trustFile)
        guard !pinned.isEmpty else { throw SigningError.noCheckpointKey(path: trustFile) }
        var store = try TrustStore()
        for entry in try TrustFile.read(trustFile) where pinned.contains(entry.metadata.keyId) {
            try store.insert(try VerificationKey.ed25519(entry.metadata, publicKey: entry.publicKey ?? []))
        }
        return store
    }

    /// Path of the trust file of the ring in `directory`.
    public static func trustFile(in directory: String) -> String { KeyRingLayout(directory: directory).trustFile }

    // MARK: Helpers

    private static func prepareEmptyRing(_ layout: KeyRingLayout, overwrite: Bool) throws {
        let files = FileManager.default
        let present = files.fileExists(atPath: layout.trustFile) || files.fileExists(atPath: layout.privateDirectory)
        if present {
            guard overwrite else { throw SigningError.keyRingExists(path: layout.directory) }
            for path in [layout.trustFile, layout.privateDirectory] where files.fileExists(atPath: path) {
                do { try files.removeItem(atPath: path) } catch {
                    throw SigningError.fileSystem(path: path, reason: "cannot remove the old key ring (\(error.localizedDescription))")
                }
            }
        }
        do {
            try files.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
        } catch {
            throw SigningError.fileSystem(path: layout.directory, reason: "cannot create directory (\(error.localizedDescription))")
        }
        try PrivateKeyFile.createPrivateDirectory(layout.privateDirectory)
    }

    private static func createKey(
        _ layout: KeyRingLayout, principal: String, kind: PrincipalKind, algorithm: SigningAlgorithm,
        now: Date, existing: Set<String>
    ) throws -> TrustEntry {
        let keyId = try KeyNaming.newKeyId(principal: principal, at: now, avoiding: existing)
        let metadata = KeyMetadata(keyId: keyId, algorithm: algorithm, principal: principal, principalKind: kind,
                                   status: .active, created: Timestamp.wholeSeconds(now))
        try PrivateKeyFile.createPrivateDirectory(layout.principalDirectory(principal))
        let path = layout.keyFile(principal: principal, keyId: keyId)
        switch algorithm {
        case .hmacSHA256:
            var secret = try HMACSecret.generate()
            defer { wipe(&secret) }
            try PrivateKeyFile.store(secret, at: path)
            return TrustEntry(metadata: metadata, secretFile: KeyRingLayout.relativeKeyFile(principal: principal, keyId: keyId))
        case .ed25519:
            let privateKey = try Ed25519PrivateKey.generate()
            var seed = privateKey.rawRepresentation
            defer { wipe(&seed) }
            try PrivateKeyFile.store(seed, at: path)
            return TrustEntry(metadata: metadata, publicKey: privateKey.publicKey.rawRepresentation)
        }
    }
}
