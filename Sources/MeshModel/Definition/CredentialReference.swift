import Foundation

/// Where an API key is read from. Only the reference is ever printed: errors name the
/// variable or file, never what it holds.
public enum CredentialReference: Sendable, Hashable, CustomStringConvertible {
    case environment(String)
    case file(String)

    /// `env:OPENAI_API_KEY` or `file:/run/secrets/openai`.
    public init?(_ text: String) {
        if text.hasPrefix("env:"), text.count > 4 {
            self = .environment(String(text.dropFirst(4)))
        } else if text.hasPrefix("file:"), text.count > 5 {
            self = .file(String(text.dropFirst(5)))
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .environment(let name): "env:\(name)"
        case .file(let path): "file:\(path)"
        }
    }

    /// The key, read now (once per handler): trailing whitespace of a file is dropped.
    public func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        switch self {
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                throw CredentialError(message: "credentials \(description): the variable is not set or empty")
            }
            return value
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path),
                  let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
                  !text.isEmpty else {
                throw CredentialError(message: "credentials \(description): the file is missing, unreadable or empty")
            }
            return text
        }
    }
}

/// A credential reference that does not resolve; names the reference only.
public struct CredentialError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
