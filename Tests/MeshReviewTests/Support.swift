import Foundation
import MeshReview
import MeshWire

func artifact(_ name: String, _ text: String, mediaType: String = "text/plain") -> Artifact {
    Artifact(name: name, mediaType: mediaType, content: Array(text.utf8))
}

func result(state: TaskState = .completed, summary: String = "did the work", artifacts: [Artifact] = [],
            error: String = "") -> TaskResult {
    TaskResult(taskID: "t-1", planID: "p-1", attempt: 1, state: state, summary: summary, artifacts: artifacts,
               error: error, agentID: "coding-1")
}

/// Rules from a YAML snippet holding a single rule (indented under `rules:`).
func rules(_ body: String, file: String = "test.yaml", baseDirectory: String = "/tmp") throws -> ReviewRules {
    try ReviewRules.parse(yaml: "rules_version: \"1\"\nrules:\n" + body, file: file, baseDirectory: baseDirectory)
}

func review(_ body: String, _ result: TaskResult, role: String = "coding") async throws -> ReviewOutcome {
    await ReviewEngine(rules: try rules(body)).review(result: result, role: role)
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mesh-review-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Writes an executable script and returns its path.
func script(_ body: String, in directory: URL, name: String = "checker.sh") throws -> String {
    let path = directory.appendingPathComponent(name).path
    try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    chmod(path, 0o755)
    return path
}

/// SHA-256 hex by coreutils, an implementation independent of ours.
func sha256sum(_ path: String) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [path]
    let output = Pipe()
    process.standardOutput = output
    try! process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(64))
}
