/// How log lines are rendered.
public enum LogFormat: String, Sendable, CaseIterable {
    /// One JSON object per line, for log shippers.
    case json
    /// `key=value` pairs (logfmt), for people reading a terminal.
    case logfmt
}

/// Renders one log record. Pure, so the exact bytes are unit-tested.
public enum LogLineFormatter {
    /// Fixed fields come first in a stable order; metadata follows sorted by key, so lines
    /// about the same message line up and diff cleanly.
    public static func format(
        _ format: LogFormat, timestamp: String, level: String, label: String, message: String,
        metadata: [String: String]
    ) -> String {
        var fields: [(String, String)] = [("ts", timestamp), ("level", level), ("logger", label), ("msg", message)]
        fields += metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        switch format {
        case .json:
            return "{" + fields.map { "\(jsonString($0.0)):\(jsonString($0.1))" }.joined(separator: ",") + "}"
        case .logfmt:
            return fields.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ")
        }
    }

    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func logfmtValue(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline }
        return needsQuotes ? jsonString(value) : value
    }
}
