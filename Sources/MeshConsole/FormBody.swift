import Foundation

/// An `application/x-www-form-urlencoded` body as name → first value (and every value, for
/// repeated fields such as checkboxes).
struct FormBody {
    let fields: [String: String]

    init(_ text: String) {
        var fields: [String: String] = [:]
        for (name, value) in Self.pairs(text) where fields[name] == nil { fields[name] = value }
        self.fields = fields
    }

    subscript(_ name: String) -> String? { fields[name] }

    /// Every value of `name`, in order.
    static func values(_ name: String, in text: String) -> [String] {
        pairs(text).filter { $0.name == name }.map(\.value)
    }

    private static func pairs(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}
