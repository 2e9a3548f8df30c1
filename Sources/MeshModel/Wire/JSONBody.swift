import Foundation

/// JSON encoding of request bodies with sorted keys, so equal requests hash equal in the
/// transcript, and reading of reply bodies into plain dictionaries.
enum JSONBody {
    static func encode(_ object: [String: Any]) -> [UInt8] {
        // Every value put in here is a string, number, bool, array or dictionary of those.
        (try? Array(JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))) ?? []
    }

    static func object(_ bytes: [UInt8], what: String) throws -> [String: Any] {
        guard let value = try? JSONSerialization.jsonObject(with: Data(bytes)), let object = value as? [String: Any] else {
            throw ModelReplyError(message: "\(what) reply is not a JSON object")
        }
        return object
    }

    static func int(_ value: Any?) -> Int { (value as? NSNumber)?.intValue ?? 0 }
}
