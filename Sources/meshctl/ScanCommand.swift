import ArgumentParser
import Foundation
import MeshCompliance

/// `meshctl scan`: the compliance worker's policy evaluation over files on disk, for
/// pre-commit hooks and CI. Reading files is all this command does itself; judging them is
/// `PolicyBundle.evaluate`, the same call the mesh's compliance worker makes on results.
struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Check files and directories against the policy packs (PHI, secrets), outside the mesh.",
        discussion: """
            Every file is one artifact of one evaluation, judged exactly as the compliance worker \
            judges a task result: same packs, same detectors, same exclusions, same bundle hash. \
            Structure is read first (JSON/YAML/.env/properties keys, CSV headers, SQL INSERT \
            columns, log key=value pairs, FHIR resources, HL7 v2 segments), so findings carry a \
            field path (`$.patient.mrn`, `PID-5.1`) besides line:column and character offsets.

            Directories are walked recursively, skipping .git, .build, node_modules and binary \
            files (a NUL byte in the first 8 KiB).

            Exit status (the worst decision):
              0  approve           nothing found, or only excluded look-alikes
              1  request_changes   identifiers to remove (PHI)
              2  reject            live credentials
              3  error             unreadable path or invalid policy pack

            Examples:
              meshctl scan .                                   # human-readable
              meshctl scan --format json fixtures/ | jq .findings
              meshctl scan --format sarif src/ > compliance.sarif   # GitHub code scanning
              meshctl scan --verbose notes.md                  # also suppressed look-alikes
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case human, json, sarif
    }

    @Argument(help: ArgumentHelp("Files or directories to scan.", valueName: "path")) var paths: [String]
    @Option(help: ArgumentHelp("Policy pack folder.", valueName: "dir")) var policies = "Policies"
    @Option(help: "Output: human, json or sarif (SARIF 2.1.0).") var format: Format = .human
    @Flag(name: .customLong("json"), help: "Same as --format json.") var jsonFlag = false
    @Option(help: "Role the files are judged as (rules may be scoped to roles).") var role = "coder"
    @Option(help: "Risk class: low, medium, high, critical.") var risk = "medium"
    @Option(help: "IEC 62304 safety class (A, B, C); none by default.") var safetyClass: String?
    @Option(help: "Skip files larger than this many bytes.") var maxBytes = 8 * 1024 * 1024
    @Flag(name: .shortAndLong, help: "Human output also lists suppressed look-alikes and structure errors.") var verbose = false

    func run() throws {
        let report: ScanReport
        do {
            let bundle = try PolicyBundle.load(directory: policies)
            guard let riskClass = RiskClass(rawValue: risk) else {
                throw ScanError("unknown risk class \"\(risk)\"; known: low, medium, high, critical")
            }
            var safety: SafetyClass?
            if let s = safetyClass {
                guard let c = SafetyClass(rawValue: s.uppercased()) else { throw ScanError("unknown safety class \"\(s)\"; known: A, B, C") }
                safety = c
            }
            let artifacts = try ScanFiles.read(paths, maxBytes: maxBytes)
            report = ScanReport(bundle: bundle, subject: ScanReport.subject(artifacts: artifacts, role: role, risk: riskClass, safetyClass: safety))
        } catch {
            FileHandle.standardError.write(Data("meshctl scan: \(error)\n".utf8))
            throw ExitCode(3)
        }
        switch jsonFlag ? .json : format {
        case .human: print(report.human(verbose: verbose), terminator: "")
        case .json: print(try report.json())
        case .sarif: print(try report.sarif(toolVersion: report.evaluation.bundleHash.prefix(12).description))
        }
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }
}

struct ScanError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The edge of `meshctl scan`: files and directories to artifacts.
enum ScanFiles {
    static let skippedDirectories: Set<String> = [".git", ".build", "node_modules", ".swiftpm", "DerivedData"]

    static func read(_ paths: [String], maxBytes: Int) throws -> [Artifact] {
        var artifacts: [Artifact] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ScanError("\(path): no such file or directory") }
            if !isDirectory.boolValue {
                if let a = try artifact(path, maxBytes: maxBytes) { artifacts.append(a) }
                continue
            }
            guard let walker = fm.enumerator(atPath: path) else { throw ScanError("\(path): cannot list directory") }
            var files: [String] = []
            while let relative = walker.nextObject() as? String {
                let name = (relative as NSString).lastPathComponent
                if skippedDirectories.contains(name) { walker.skipDescendants(); continue }
                let full = (path as NSString).appendingPathComponent(relative)
                var dir: ObjCBool = false
                if fm.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue { files.append(full) }
            }
            for file in files.sorted() {
                if let a = try artifact(file, maxBytes: maxBytes) { artifacts.append(a) }
            }
        }
        return artifacts
    }

    private static func artifact(_ path: String, maxBytes: Int) throws -> Artifact? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? Int else { throw ScanError("\(path): cannot read") }
        if size > maxBytes { return nil }
        guard let data = FileManager.default.contents(atPath: path) else { throw ScanError("\(path): cannot read") }
        if data.prefix(8192).contains(0) { return nil }
        return Artifact(name: path, mediaType: MediaTypes.guess(fileName: path), content: String(decoding: data, as: UTF8.self))
    }
}
