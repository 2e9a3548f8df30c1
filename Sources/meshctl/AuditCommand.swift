import ArgumentParser
import Foundation
import MeshAudit
import MeshAuditIngest
import MeshCLI
import MeshKafka
import MeshLogging
import MeshOps
import MeshSigning

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify, trace, search and export the audit trail written by mesh-audit-sink.",
        discussion: """
            Every command reads the store named by --store (sqlite:PATH or postgresql://…), \
            default $AGENTMESH_AUDIT_STORE, else sqlite:<home>/audit.sqlite, opened read-only \
            (nothing is created or altered), and checks checkpoint signatures against the audit \
            sink's Ed25519 key pinned in <home>/keys/trust.json (or --trust FILE).

              meshctl audit verify --anchor topic   # exit 1 names the first bad record
              meshctl audit verify --anchor /mnt/worm/audit --anchor anchors.jsonl
              meshctl audit trace obj-42       # who emitted what, caused by what, when
              meshctl audit search --type agentmesh.verdict.v1 --since 2026-01-31
              meshctl audit search --role reviewer --rejected --json
              meshctl audit export --format jsonl --output trail.jsonl
            """,
        subcommands: [Verify.self, Prove.self, Trace.self, Search.self, Export.self])

    // MARK: verify

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every record hash, chain link, envelope signature and checkpoint; exit 1 naming the first bad record.",
            discussion: """
                Reads the whole log from the table itself, recomputes each record's hash from its \
                stored columns and raw bytes, checks that sequences run 1, 2, 3… and that each \
                record links to the one before, checks each stored envelope's own signatures \
                against the key ring (and that the stored fields and verification status are what \
                its bytes say), checks the database's integrity and that every index readers use \
                agrees with the table, and checks every checkpoint: signed by the audit sink's \
                pinned Ed25519 key (any other signer is a forgery) and reproduced by the records \
                (head hash and RFC 6962 Merkle root over the first <size> records).

                --anchor: checkpoints kept OUTSIDE the database, where whoever can write the \
                database cannot reach them: an anchor file (mesh-audit-sink --anchor-file), a \
                WORM directory (--anchor-dir) or `topic`, the catalog's checkpoint topic \
                (--anchor-topic; read with the broker of <home>, or --bootstrap/--kafka-config/-X). \
                Every anchored checkpoint must be in the database and be reproduced by its \
                records, so rewritten or deleted history, a truncated tail, deleted checkpoints \
                and a substituted database fail. Each anchored head is checked twice: recomputed \
                from the records up to its size (naming the first bad record), and in addition \
                proven by an RFC 6962 consistency proof from the anchored head to the tree over \
                every record that verified, checked with the two roots alone \
                (`meshctl audit prove` prints such proofs for checking elsewhere). \
                Without --anchor, a rewrite of the whole database together with its checkpoints \
                cannot be detected, and verify says so.

                Threat model. Database write access (DBA, stolen credentials): can change, delete, \
                insert or reorder rows, recompute the chain, drop checkpoints, swap the database \
                for another, doctor indexes (PostgreSQL: caught by comparing every index with the \
                table and, when the amcheck extension is installed and this role may run it, by \
                bt_index_check); cannot sign a checkpoint (the private key is not in the \
                database) nor change an anchor, so all of it fails verify --anchor, naming the \
                record or checkpoint, and a sink restarted with its anchors refuses to append to \
                the rewritten database. Audit-sink host (root): holds the signing key, so can \
                sign new checkpoints for a rewritten log from now on; cannot change checkpoints \
                already anchored on the topic or in WORM storage, so history before the \
                compromise stays provable (rotate the sink key after a compromise). Kafka admin: \
                can delete the checkpoint topic or its oldest records (an emptied anchor fails \
                verify: it proves nothing; a thinned one still anchors what is left, so keep a \
                second anchor, e.g. WORM); cannot forge a checkpoint (no signing key). Envelope signatures: an attacker without a \
                role's private key cannot make an altered envelope verify; with HMAC role keys \
                anyone holding the ring's secrets can (use Ed25519 role keys for attribution).

                Exit status 0 means intact; 1 means tampering or damage, with the first bad record \
                (or checkpoint) named.
                """)
        @OptionGroup var options: AuditStoreOptions
        @Option(parsing: .singleValue, help: ArgumentHelp(
            "Checkpoints kept outside the database: an anchor file, a WORM directory, or `topic` (the catalog's checkpoint topic). Repeatable.",
            valueName: "file|dir|topic"))
        var anchor: [String] = []
        @OptionGroup(title: "Kafka (for --anchor topic)") var kafka: KafkaClientOptions
        @OptionGroup var catalog: CatalogOptions
        @Flag(name: .customLong("skip-envelopes"), help: "Do not re-check each stored envelope's signatures (faster; weaker).")
        var skipEnvelopes = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let store = try options.open()
            var anchors: [AuditCheckpoint] = []
            for source in anchor { anchors += try await AuditAnchorSource.read(source, options: options, kafka: kafka, catalog: catalog) }
            let envelopes: StoredEnvelopeCheck? = skipEnvelopes ? nil
                : StoredEnvelopeRecheck(trust: try options.envelopeTrust(), authorize: AuditCatalogAuthorization.check(catalog))
            let report = try AuditVerifier.verify(store, trust: try options.checkpointTrust(), anchors: anchors, envelopes: envelopes)
            if json {
                print(try AuditRecordFormat.jsonText(AuditVerifyDocument.json(report, store: store)))
            } else {
                print("audit log \(report.logID) (\(try options.location()))")
                print("  records:     \(report.recordCount) (\(report.envelopesChecked) envelope(s) re-verified)")
                print("  checkpoints: \(report.checkpointCount) (\(report.anchoredCheckpointCount) from anchors outside the database)")
                if let checkpoint = report.lastGoodCheckpoint {
                    print("  last good checkpoint: sequence \(checkpoint.sequence), \(AuditRecordFormat.time(checkpoint.createdAtMicros)), key \(checkpoint.signature.keyId)")
                } else {
                    print("  last good checkpoint: none")
                }
                print("  records after it (chained, not yet signed): \(report.unanchoredRecords)")
                if let tree = report.currentTree {
                    print("  anchored heads proven consistent with the tree over the verified records (size \(tree.size), "
                          + "root \(Hex.encode(tree.root))) by RFC 6962 consistency proof: \(report.anchorsProvenConsistent)")
                }
                if report.unauthorizedRecords > 0 {
                    print("  records the catalog does not allow from their signer, stored flagged unauthorized: \(report.unauthorizedRecords)")
                }
                if report.supersededCopies + report.conflictingCopies > 0 {
                    print("  later copies of stored envelope ids, stored flagged: \(report.supersededCopies) superseded, "
                          + "\(report.conflictingCopies) conflict (see `meshctl audit search --rejected`)")
                }
                if let first = report.firstFailure {
                    print("INVALID: first bad record is sequence \(first.sequence): \(first.problem.rawValue): \(first.detail)")
                    if let record = (try? store.record(sequence: first.sequence)).flatMap({ $0 }) {
                        let input = record.input
                        print("  stored there now: envelope id=\(input.envelopeID.isEmpty ? "-" : input.envelopeID) type=\(input.type) "
                              + "source=\(input.source) kafka=\(input.kafka.topic)[\(input.kafka.partition)]@\(input.kafka.offset)")
                    }
                    for failure in report.failures.dropFirst() {
                        print("  also: sequence \(failure.sequence): \(failure.problem.rawValue): \(failure.detail)")
                    }
                } else {
                    print("OK: \(report.summary)")
                }
                if anchor.isEmpty {
                    print("WARNING: no --anchor given: only the database was checked, so a rewrite of the whole database "
                          + "together with its checkpoints would not show. Pass --anchor topic|FILE|DIR.")
                }
            }
            if !report.isValid { throw ExitCode(1) }
        }
    }

    // MARK: prove

    struct Prove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an RFC 6962 consistency proof between two sizes of the log (and an inclusion proof for one record).",
            discussion: """
                Builds the Merkle tree over the stored record hashes (as stored, not re-verified: \
                run `audit verify` for that) and prints the consistency proof (RFC 6962 §2.1.2, \
                RFC 9162 §2.1.4) from the tree of --from-size records to the tree of --to-size \
                records (default: every record), with both roots. Whoever holds an anchored \
                checkpoint of size M (its signed root) and a later one of size N can check the \
                proof with those two roots alone, without the database: it shows the later log \
                kept the first M records unchanged and in place. --record SEQ adds the inclusion \
                proof of that record (leaf = its record hash, index SEQ-1) in the --to-size tree. \
                Hashes are printed in hex.
                """)
        @OptionGroup var options: AuditStoreOptions
        @Option(name: .customLong("from-size"), help: ArgumentHelp("Size of the older tree (an anchored checkpoint's size).", valueName: "M"))
        var fromSize: Int
        @Option(name: .customLong("to-size"), help: ArgumentHelp("Size of the newer tree. Default: every stored record.", valueName: "N"))
        var toSize: Int?
        @Option(help: ArgumentHelp("Also prove that this record (by sequence) is in the --to-size tree.", valueName: "SEQ"))
        var record: Int64?
        @Flag(help: "Print the proof as JSON.") var json = false

        func run() throws {
            let store = try options.open()
            let tree = try store.merkleTree(size: toSize.map(Int64.init))
            let newSize = toSize ?? tree.size
            let newRoot: [UInt8]
            let proof: [[UInt8]]
            var inclusion: (leaf: [UInt8], proof: [[UInt8]])?
            let oldRoot: [UInt8]
            do {
                newRoot = try tree.root(treeSize: newSize)
                oldRoot = try tree.root(treeSize: fromSize)
                proof = try tree.consistencyProof(oldSize: fromSize, newSize: newSize)
                if let record {
                    let path = try tree.inclusionProof(index: Int(record - 1), treeSize: newSize)
                    guard let stored = try store.record(sequence: record) else { throw ValidationError("record \(record) is not stored") }
                    inclusion = (stored.recordHash, path)
                }
            } catch let error as MerkleProofError {
                throw ValidationError("\(error)")
            }
            if json {
                var object: [String: Any] = [
                    "logId": store.logID, "fromSize": fromSize, "fromRoot": Hex.encode(oldRoot), "toSize": newSize,
                    "toRoot": Hex.encode(newRoot), "consistencyProof": proof.map(Hex.encode),
                ]
                if let record, let inclusion {
                    object["inclusion"] = ["sequence": record, "leafIndex": record - 1, "recordHash": Hex.encode(inclusion.leaf),
                                           "proof": inclusion.proof.map(Hex.encode)] as [String: Any]
                }
                print(try AuditRecordFormat.jsonText(object))
            } else {
                print("audit log \(store.logID)")
                print("  tree of \(fromSize) record(s): root \(Hex.encode(oldRoot))")
                print("  tree of \(newSize) record(s): root \(Hex.encode(newRoot))")
                print("  consistency proof (\(proof.count) hash(es)):")
                for hash in proof { print("    \(Hex.encode(hash))") }
                if let record, let inclusion {
                    print("  record \(record) (record hash \(Hex.encode(inclusion.leaf))), inclusion proof (\(inclusion.proof.count) hash(es)):")
                    for hash in inclusion.proof { print("    \(Hex.encode(hash))") }
                }
            }
        }
    }

    // MARK: trace

    struct Trace: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the causal tree of one objective: who emitted what, caused by what, when, with verdicts and approvals.",
            discussion: """
                A record's parent is the record whose envelope id is its causation id. Each line \
                shows the sequence, event time, type, source (role/instance) and verified signer; \
                the line below says what the payload states, decoded from the stored bytes: \
                verdict decisions with their findings, approvals with signer, printed name and \
                meaning. Records that failed verification are marked REJECTED with the reason.
                """)
        @Argument(help: "The correlation id (objective id).") var correlationID: String
        @OptionGroup var options: AuditStoreOptions
        @Flag(help: "Print the tree as JSON.") var json = false

        func run() async throws {
            let store = try options.open()
            let trace = try store.trace(correlationID: correlationID)
            guard !trace.records.isEmpty else {
                throw ValidationError("no records with correlation id \(correlationID) in \(try options.location())")
            }
            let ids = Set(trace.records.map(\.input.envelopeID))
            if json {
                print(try AuditRecordFormat.jsonText(AuditTraceDocument.json(trace)))
                return
            }
            let rejected = trace.records.filter { !$0.input.verification.isVerified }.count
            print("correlation \(correlationID): \(trace.records.count) record(s)" + (rejected > 0 ? ", \(rejected) REJECTED" : ""))
            func render(_ node: AuditTrace.Node, depth: Int) {
                let indent = String(repeating: "  ", count: depth)
                let record = node.record
                let input = record.input
                var line = "\(indent)#\(record.sequence) \(AuditRecordFormat.time(input.eventTimeMicros)) \(input.type.isEmpty ? "(undecodable)" : input.type) "
                    + "from \(input.source.isEmpty ? "?" : input.source)"
                if let signer = input.signerPrincipal, input.verification.isVerified { line += " signed by \(signer)" }
                line += " id=\(input.envelopeID.isEmpty ? "-" : input.envelopeID)"
                if !input.subject.isEmpty { line += " subject=\(input.subject)" }
                if let reason = input.verification.reason { line += "  [REJECTED: \(reason)]" }
                print(line)
                if depth == 0 && !input.causationID.isEmpty && !ids.contains(input.causationID) {
                    print("\(indent)    caused by \(input.causationID) (not in the log)")
                }
                if let details = AuditPayloadDetails.decode(input.raw)?.details {
                    print("\(indent)    \(details.headline)")
                    for (key, value) in details.fields { print("\(indent)      \(key): \(value)") }
                    for finding in details.findings {
                        print("\(indent)      finding [\(name(finding.severity))] \(finding.ruleID): \(finding.message)"
                              + (finding.location.isEmpty ? "" : " (\(finding.location))"))
                    }
                }
                node.children.forEach { render($0, depth: depth + 1) }
            }
            trace.roots.forEach { render($0, depth: 0) }
        }
    }

    // MARK: search

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List records matching filters (all filters must match), oldest first.")
        @OptionGroup var filters: AuditFilterOptions
        @Option(help: "Source role: the <role> of /mesh/<role>/<instance>, e.g. reviewer.") var role: String?
        @Option(help: "At most this many records.") var limit = 100
        @OptionGroup var options: AuditStoreOptions
        @Flag(help: "Print a JSON array instead of a table.") var json = false

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be positive") }
        }

        func run() async throws {
            let store = try options.open()
            var filter = try filters.filter()
            var found: [AuditRecord] = []
            // --role matches part of the source, which the store cannot index: filter pages here.
            let page = role == nil ? limit : 1_000
            while found.count < limit {
                filter.limit = page
                let records = try store.search(filter)
                found += records.filter { role == nil || AuditRecordFormat.role($0) == role }.prefix(limit - found.count)
                guard let last = records.last, records.count == page else { break }
                filter.afterSequence = last.sequence
            }
            if json {
                print(try AuditRecordFormat.jsonText(found.map { AuditRecordFormat.json($0, withPayload: false) }))
                return
            }
            let header = ["SEQ", "EVENT TIME", "TYPE", "SOURCE", "SUBJECT", "CORRELATION", "STATUS", "ENVELOPE ID"]
            let rows = found.map { record -> [String] in
                let input = record.input
                return [String(record.sequence), AuditRecordFormat.time(input.eventTimeMicros), input.type, input.source, input.subject,
                        input.correlationID, input.verification.isVerified ? "verified" : "REJECTED",
                        input.envelopeID.isEmpty ? "-" : input.envelopeID]
            }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            for row in [header] + rows {
                print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
            print("\(found.count) record(s)" + (found.count == limit ? " (limit reached; raise --limit for more)" : ""))
            for record in found where !record.input.verification.isVerified {
                print("  #\(record.sequence) rejected: \(record.input.verification.reason ?? "")")
            }
        }
    }

    // MARK: export

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write records to a file for auditors, with the log's verification status and newest checkpoint.",
            discussion: """
                jsonl: a header line (log id, filter, full-log verification result, newest signed \
                checkpoint), one JSON object per record including the raw sealed bytes (base64), \
                and a trailer with the record count and SHA-256 of the record lines. csv: the \
                same header and trailer as # lines, records without raw bytes. The whole log is \
                verified first, as `audit verify` does (every envelope re-checked; --anchor as there); if it does not verify the file is still written (saying so in \
                its header) and the command exits 1.
                """)
        @Option(help: "jsonl or csv.") var format: String = "jsonl"
        @Option(parsing: .singleValue, help: ArgumentHelp(
            "Checkpoints kept outside the database for the verification in the header (as audit verify --anchor). Repeatable.",
            valueName: "file|dir|topic"))
        var anchor: [String] = []
        @OptionGroup(title: "Kafka (for --anchor topic)") var kafka: KafkaClientOptions
        @OptionGroup var catalog: CatalogOptions
        @Option(help: ArgumentHelp("File to write (replaced if it exists); - for standard output.", valueName: "file"))
        var output: String
        @OptionGroup var filters: AuditFilterOptions
        @OptionGroup var options: AuditStoreOptions

        func validate() throws {
            guard AuditExporter.Format(rawValue: format) != nil else { throw ValidationError("--format must be jsonl or csv") }
        }

        func run() async throws {
            let store = try options.open()
            let format = AuditExporter.Format(rawValue: self.format)!
            let filter = try filters.filter()
            var anchors: [AuditCheckpoint] = []
            for source in anchor { anchors += try await AuditAnchorSource.read(source, options: options, kafka: kafka, catalog: catalog) }
            let envelopes = StoredEnvelopeRecheck(trust: try options.envelopeTrust(), authorize: AuditCatalogAuthorization.check(catalog))
            let report: VerificationReport
            if output == "-" {
                report = try AuditExporter.export(store, filter: filter, format: format, to: FileHandle.standardOutput,
                                                  trust: try options.checkpointTrust(), anchors: anchors, envelopes: envelopes)
            } else {
                report = try AuditExporter.export(
                    store, filter: filter, format: format, to: URL(fileURLWithPath: output), trust: try options.checkpointTrust(),
                    anchors: anchors, envelopes: envelopes)
                print("exported to \(output) (\(format.rawValue)); log verification: \(report.summary)")
            }
            if !report.isValid {
                FileHandle.standardError.write(Data("the audit log does NOT verify: \(report.summary)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
