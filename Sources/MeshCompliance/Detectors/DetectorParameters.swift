/// Error raised by a detector factory for a bad parameter; the loader adds file and line.
public struct DetectorConfigError: Error, Equatable, Sendable {
    /// Parameter name (`nil` when the problem is not tied to one parameter).
    public var parameter: String?
    public var message: String

    public init(parameter: String?, _ message: String) {
        self.parameter = parameter
        self.message = message
    }
}

/// One parameter value from a pack: a scalar or a list of scalars.
public enum ParameterValue: Sendable, Equatable {
    case scalar(String)
    case list([String])
}

/// Parameters handed to a detector factory. Every key must be read by the factory;
/// `finish()` rejects unknown keys so that typos in packs fail loudly.
public struct DetectorParameters: Sendable {
    private let values: [String: ParameterValue]
    private var consumed: Set<String> = []

    public init(_ values: [String: ParameterValue] = [:]) { self.values = values }

    /// A string parameter, or `default` when absent.
    public mutating func string(_ key: String, default def: String? = nil) throws -> String? {
        consumed.insert(key)
        switch values[key] {
        case nil: return def
        case .scalar(let s)?: return s
        case .list?: throw DetectorConfigError(parameter: key, "expected a scalar, got a list")
        }
    }

    /// A list-of-strings parameter (a single scalar is accepted as a one-element list).
    public mutating func strings(_ key: String, default def: [String]) throws -> [String] {
        consumed.insert(key)
        switch values[key] {
        case nil: return def
        case .scalar(let s)?: return [s]
        case .list(let l)?: return l
        }
    }

    /// An integer parameter within `range`.
    public mutating func int(_ key: String, default def: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let s = try string(key) else { return def }
        guard let v = Int(s), range.contains(v) else {
            throw DetectorConfigError(parameter: key, "expected an integer in \(range.lowerBound)...\(range.upperBound), got \"\(s)\"")
        }
        return v
    }

    /// A boolean parameter (`true`/`false`).
    public mutating func bool(_ key: String, default def: Bool) throws -> Bool {
        guard let s = try string(key) else { return def }
        switch s.lowercased() {
        case "true", "yes": return true
        case "false", "no": return false
        default: throw DetectorConfigError(parameter: key, "expected true or false, got \"\(s)\"")
        }
    }

    /// Throws for any key the factory did not read.
    public func finish() throws {
        let unknown = values.keys.filter { !consumed.contains($0) }.sorted()
        if let first = unknown.first {
            let accepted = consumed.sorted().joined(separator: ", ")
            throw DetectorConfigError(
                parameter: first,
                "unknown parameter \"\(first)\"; accepted: \(accepted.isEmpty ? "(none)" : accepted)")
        }
    }
}
