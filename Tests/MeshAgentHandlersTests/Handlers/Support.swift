import Foundation
import MeshAgentHandlers
import MeshProcess
import MeshWire

let context = HandlerContext(correlationID: "obj-1", agentID: "coding-agent-1")

func task(role: String = "coding", instructions: String = "Add patient lookup by MRN", attempt: UInt32 = 1,
          inputs: [Artifact] = [], feedback: [Finding] = []) -> TaskAssigned {
    TaskAssigned(taskID: "t-1", planID: "p-1", role: role, instructions: instructions, attempt: attempt,
                 inputs: inputs, feedback: feedback)
}

/// An external handler running a `/bin/sh` script.
func shellHandler(_ script: String, timeout: Duration = .seconds(20), maxOutputBytes: Int = 1 << 20,
                  breaker: SharedCircuitBreaker = SharedCircuitBreaker()) -> ExternalCommandHandler {
    ExternalCommandHandler(
        configuration: .init(command: ExternalCommand(executable: "/bin/sh", arguments: ["-c", script]),
                             timeout: timeout, maxOutputBytes: maxOutputBytes, killGrace: .milliseconds(200)),
        breaker: breaker)
}

/// Repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

func text(_ artifact: Artifact) -> String { String(decoding: artifact.content, as: UTF8.self) }

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// SHA-256 computed by an independent implementation (Python's hashlib), as hex.
func pythonSHA256<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try! process.run()
    input.fileHandleForWriting.write(Data(bytes))
    try! input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}
