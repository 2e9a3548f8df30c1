/// A parsed JSON document that keeps object members in their written order, so the task JSON
/// handed to handlers is byte-for-byte reproducible (golden-testable) and reads in contract order.
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number exactly as written (already validated against the JSON grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The value of the member named `key` in an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Short name of the JSON type, for "expected a string, got a number" messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One `"key": value` pair of an object.
struct JSONMember: Sendable, Hashable {
    var key: String
    var value: JSONValue

    init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}
