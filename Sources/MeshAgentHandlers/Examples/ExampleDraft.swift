import MeshSigning
import MeshWire

/// The facts an example artifact is written from, derived deterministically from a task.
struct ExampleDraft {
    let task: TaskAssigned
    let markers: ExampleMarkers
    var artifactCount = 0

    /// What the task asks for, markers removed.
    let subject: String
    /// `add-patient-lookup`: the first words of the subject, lower-case, for file names.
    let slug: String
    /// `AddPatientLookup`: the first words of the subject, for Swift type names.
    let typeName: String

    /// Derives the names once: the artifacts use them many times.
    init(task: TaskAssigned, markers: ExampleMarkers) {
        self.task = task
        self.markers = markers
        subject = markers.plainInstructions.isEmpty ? "unspecified feature" : markers.plainInstructions
        let words = subject.split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { $0.allSatisfy(\.isASCII) }
        let slugWords = words.prefix(5).map { $0.lowercased() }
        slug = slugWords.isEmpty ? "feature" : slugWords.joined(separator: "-")
        let name = words.prefix(3).map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
        typeName = name.first?.isLetter == true ? name : "Feature" + name
    }

    /// Whether this attempt carries the fake patient identifier.
    var includesPHI: Bool { markers.phiOnFirstAttempt && task.attempt <= 1 }

    /// A sample record line; identifiable on the first PHI attempt, synthetic afterwards.
    var sampleRecord: String {
        includesPHI ? "patient Jane Roe, SSN \(ExampleMarkers.fakeSSN)" : "patient <synthetic-patient-001>, identifier <redacted>"
    }

    /// Markdown lines listing the inputs with a hash prefix.
    var inputLines: [String] {
        task.inputs.isEmpty ? ["- (no inputs)"] : task.inputs.sorted { $0.name < $1.name }.map {
            "- `\($0.name)` (\($0.mediaType), \($0.content.count) bytes, sha256 \(SHA256Digest.hex($0.content).prefix(12)))"
        }
    }

    /// Markdown lines answering the previous attempt's findings.
    var feedbackLines: [String] {
        task.feedback.map { "- addressed `\($0.ruleID)`: \($0.message)" }
    }

    func summary(role: String) -> String {
        var text = "Example \(role) handler wrote \(artifactCount) artifact\(artifactCount == 1 ? "" : "s") for \"\(subject)\" (attempt \(task.attempt))"
        if !task.feedback.isEmpty {
            let rules = Set(task.feedback.map(\.ruleID)).sorted().joined(separator: ", ")
            text += "; addressed \(task.feedback.count) finding\(task.feedback.count == 1 ? "" : "s") (\(rules))"
        }
        return text
    }

    func commentPrefix(for artifact: Artifact) -> String {
        artifact.name.hasSuffix(".swift") ? "// " : ""
    }
}
