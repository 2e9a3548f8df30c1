import ArgumentParser
import Foundation
import MeshAudit
import MeshSigning
import MeshTransport

/// `--store` and `--home` for the `meshctl audit` commands: the same store URL forms and
/// defaults as `mesh-audit-sink`.
struct AuditStoreOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Audit store: sqlite:PATH or postgresql://…[?schema=NAME]. Default: $AGENTMESH_AUDIT_STORE, else sqlite:<home>/audit.sqlite.",
        valueName: "url"))
    var store: String?

    @Option(help: ArgumentHelp(
        "State folder holding keys/ (the trust store) and the default audit.sqlite. Default: $AGENTMESH_HOME, else ./.agentmesh.",
        valueName: "dir"))
    var home: String?

    @Option(help: ArgumentHelp(
        "Trust file whose pinned checkpoint keys (\"checkpointKeys\") checkpoints must be signed by: an auditor's own copy of "
            + "trust.json. Default: <home>/keys/trust.json.", valueName: "file"))
    var trust: String?

    var environment: MeshEnvironment { MeshEnvironment(home: home) }

    func validate() throws { _ = try location() }

    func location() throws -> AuditStoreLocation {
        do {
            return try AuditStoreLocation.resolve(store, home: environment.home)
        } catch let error as AuditStoreLocationError {
            throw ValidationError(error.description)
        }
    }

    /// The audit sink's pinned checkpoint keys (public keys only): what checkpoint signatures
    /// are checked against. A checkpoint signed by any other key is a forgery.
    func checkpointTrust() throws -> TrustStore {
        let file = trust ?? KeyRingStore.trustFile(in: environment.keysDirectory.path)
        do {
            return try KeyRingStore.loadCheckpointTrust(trustFile: file)
        } catch {
            throw ValidationError("cannot load the checkpoint keys from \(file): \(error) "
                + "(pass --trust <file> or --home <dir> of the mesh whose log this is)")
        }
    }

    /// Every key of the key ring: what stored envelopes' own signatures are checked against.
    func envelopeTrust() throws -> TrustStore {
        let keys = environment.keysDirectory.path
        do {
            return try KeyRingStore.loadTrustStore(from: keys)
        } catch {
            throw ValidationError("cannot load the trust store from \(keys): \(error) (pass --home <dir> of the mesh whose log this is)")
        }
    }

    /// Opens an existing store for reading (never creates one).
    func open() throws -> AuditStore {
        let location = try location()
        do {
            return try location.openForReading()
        } catch let error as AuditStoreLocationError {
            throw ValidationError(error.description)
        } catch {
            throw ValidationError("cannot open audit store \(location): \(error)")
        }
    }
}

/// Search filters shared by `search` and `export`.
struct AuditFilterOptions: ParsableArguments {
    @Option(help: "Envelope type, e.g. agentmesh.verdict.v1.") var type: String?
    @Option(help: "Exact envelope source, e.g. /mesh/reviewer/r-1.") var source: String?
    @Option(help: "Subject (task id, approval id, …).") var subject: String?
    @Option(help: "Correlation id (objective).") var correlation: String?
    @Option(help: ArgumentHelp("Event time from (inclusive), RFC 3339, e.g. 2026-01-31T08:00:00Z.", valueName: "time"))
    var since: String?
    @Option(help: ArgumentHelp("Event time until (exclusive), RFC 3339.", valueName: "time")) var until: String?
    @Flag(help: "Only records flagged rejected (failed verification or not envelopes).") var rejected = false
    @Flag(help: "Only records whose envelope verified.") var verified = false

    func validate() throws {
        if rejected && verified { throw ValidationError("--rejected and --verified exclude each other") }
        _ = try filter()
    }

    func filter() throws -> AuditSearchFilter {
        AuditSearchFilter(
            type: type, source: source, subject: subject, correlationID: correlation,
            eventTimeFromMicros: try since.map { try AuditTime.parse($0, option: "--since") },
            eventTimeUntilMicros: try until.map { try AuditTime.parse($0, option: "--until") },
            verification: rejected ? .rejected : verified ? .verified : nil)
    }
}

/// RFC 3339 times on the command line.
enum AuditTime {
    /// Unix microseconds of an RFC 3339 date-time (`2026-01-31T08:00:00Z`, fractions and
    /// offsets allowed) or a full date (`2026-01-31`, midnight UTC).
    static func parse(_ text: String, option: String) throws -> Int64 {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let dateOnly = ISO8601DateFormatter()
        dateOnly.formatOptions = [.withFullDate]
        for formatter in [withFraction, plain, dateOnly] {
            if let date = formatter.date(from: text) {
                return Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
            }
        }
        throw ValidationError("\(option) \(text): expected an RFC 3339 time such as 2026-01-31T08:00:00Z or 2026-01-31")
    }
}
