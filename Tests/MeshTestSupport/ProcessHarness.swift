import Foundation
import XCTest

/// The package's built executables (`swift test` builds them next to the test bundle).
public enum Executables {
    public static var directory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    public static func url(_ name: String) throws -> URL {
        let url = directory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw HarnessError("executable \(name) not found in \(directory.path): run `swift build` first")
        }
        return url
    }
}

/// The repository root, from a test file's `#filePath`.
public func repositoryRoot(_ filePath: String = #filePath) -> URL {
    var url = URL(fileURLWithPath: filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}

public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A temporary folder, removed by `remove()`.
public struct TemporaryDirectory {
    public let url: URL

    public init(_ prefix: String = "agentmesh-test") throws {
        url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public var path: String { url.path }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A child process whose output goes to files (in `outputDirectory`, by default its working
/// directory), so a chatty process never blocks on a pipe.
public final class ChildProcess: @unchecked Sendable {
    public let name: String
    public let process = Process()
    public let stdoutURL: URL
    public let stderrURL: URL

    public init(
        _ executable: URL, _ arguments: [String], name: String? = nil, workingDirectory: URL,
        outputDirectory: URL? = nil, environment: [String: String] = [:]
    ) throws {
        self.name = name ?? executable.lastPathComponent
        let stamp = UUID().uuidString.prefix(8)
        let outputDirectory = outputDirectory ?? workingDirectory
        stdoutURL = outputDirectory.appendingPathComponent("\(self.name)-\(stamp).out")
        stderrURL = outputDirectory.appendingPathComponent("\(self.name)-\(stamp).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = workingDirectory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    public var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { process.isRunning }
    public var exitCode: Int32 { process.terminationStatus }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for exit; returns `false` if still running after `timeout`.
    @discardableResult
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return !process.isRunning
    }

    /// Stops the process if still running (SIGKILL), for test clean-up.
    public func stop() {
        if process.isRunning {
            signal(SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Runs a command to completion and returns its exit code and output.
public func runToCompletion(
    _ executable: URL, _ arguments: [String], workingDirectory: URL, outputDirectory: URL? = nil,
    environment: [String: String] = [:], timeout: Duration = .seconds(60)
) async throws -> (status: Int32, stdout: String, stderr: String) {
    let child = try ChildProcess(
        executable, arguments, workingDirectory: workingDirectory, outputDirectory: outputDirectory,
        environment: environment)
    guard await child.waitForExit(timeout: timeout) else {
        child.stop()
        throw HarnessError("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) did not finish in \(timeout)")
    }
    return (child.exitCode, child.stdout, child.stderr)
}
