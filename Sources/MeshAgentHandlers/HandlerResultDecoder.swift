import Foundation
import MeshWire

/// Why a handler's stdout was not an acceptable result; the message is what lands in
/// `TaskResult.error`.
public struct HandlerResultError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    static func syntax(_ error: JSONSyntaxError) -> HandlerResultError {
        HandlerResultError(message: "handler printed invalid JSON at byte \(error.offset): \(error.message)")
    }

    static func field(_ path: String, _ problem: String) -> HandlerResultError {
        HandlerResultError(message: "handler result JSON: field \"\(path)\": \(problem)")
    }

    public var description: String { message }
}

/// Reads the stdout of a handler that exited 0 (or a model's structured answer) into a
/// completed `HandlerOutcome`.
public enum HandlerResultDecoder {
    public static func decode(_ stdout: [UInt8]) throws -> HandlerOutcome {
        let root: JSONValue
        do { root = try JSONParser.parse(stdout) } catch let error as JSONSyntaxError { throw HandlerResultError.syntax(error) }
        guard case .object = root else {
            throw HandlerResultError(message: "handler result JSON: expected an object at top level, got \(root.typeName)")
        }
        let summary = try string(root["summary"], "summary")
        var artifacts: [Artifact] = []
        if let list = root["artifacts"], list != .null {
            guard case .array(let items) = list else { throw HandlerResultError.field("artifacts", "expected an array, got \(list.typeName)") }
            var names: Set<String> = []
            for (index, item) in items.enumerated() {
                let artifact = try self.artifact(item, path: "artifacts[\(index)]")
                guard names.insert(artifact.name).inserted else {
                    throw HandlerResultError.field("artifacts[\(index)].name", "duplicate artifact name \"\(artifact.name)\"")
                }
                artifacts.append(artifact)
            }
        }
        return .completed(summary: summary, artifacts: artifacts, attributes: try attributes(root["attributes"]))
    }

    private static func artifact(_ value: JSONValue, path: String) throws -> Artifact {
        guard case .object = value else { throw HandlerResultError.field(path, "expected an object, got \(value.typeName)") }
        let name = try string(value["name"], "\(path).name")
        if let problem = ArtifactName.problem(name) { throw HandlerResultError.field("\(path).name", problem) }
        let mediaType = try value["media_type"].map { try string($0, "\(path).media_type") } ?? "application/octet-stream"
        let content: [UInt8]
        switch (value["content"], value["content_base64"]) {
        case (let text?, nil):
            content = Array(try string(text, "\(path).content").utf8)
        case (nil, let encoded?):
            let text = try string(encoded, "\(path).content_base64")
            guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
                throw HandlerResultError.field("\(path).content_base64", "not valid base64")
            }
            content = Array(data)
        case (nil, nil):
            throw HandlerResultError.field(path, "needs \"content\" or \"content_base64\"")
        case (_?, _?):
            throw HandlerResultError.field(path, "has both \"content\" and \"content_base64\"; give exactly one")
        }
        return HandlerArtifact.sealed(Artifact(name: name, mediaType: mediaType, content: content))
    }

    private static func attributes(_ value: JSONValue?) throws -> [String: String] {
        guard let value, value != .null else { return [:] }
        guard case .object(let members) = value else {
            throw HandlerResultError.field("attributes", "expected an object, got \(value.typeName)")
        }
        var result: [String: String] = [:]
        for member in members {
            let path = "attributes.\(member.key)"
            if member.key.hasPrefix(TaskClassification.reservedPrefix) {
                throw HandlerResultError.field(path, "keys starting with \"\(TaskClassification.reservedPrefix)\" are set by the mesh, not by handlers")
            }
            let value = try string(member.value, path)
            if member.key.utf8.contains(0) || value.utf8.contains(0) {
                throw HandlerResultError.field(path, "contains a NUL character, which attributes cannot carry")
            }
            result[member.key] = value
        }
        return result
    }

    private static func string(_ value: JSONValue?, _ path: String) throws -> String {
        guard let value else { throw HandlerResultError.field(path, "missing") }
        guard case .string(let text) = value else { throw HandlerResultError.field(path, "expected a string, got \(value.typeName)") }
        return text
    }
}

/// Artifact names are relative paths: no absolute paths, no `..`, no empty segments, so a
/// consumer that writes artifacts to disk cannot be steered outside its directory.
enum ArtifactName {
    static func problem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.hasPrefix("/") { return "must be a relative path, got \"\(name)\"" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "must not contain control characters" }
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            return "must not contain empty, \".\" or \"..\" path segments, got \"\(name)\""
        }
        return nil
    }
}
