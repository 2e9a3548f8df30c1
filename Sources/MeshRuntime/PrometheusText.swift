/// Writes a `/metrics` page in the Prometheus text exposition format (version 0.0.4): the
/// one place that knows its syntax and escaping, used by `RoleMetrics` and mesh-audit-sink.
///
/// ```
/// # HELP name help text
/// # TYPE name counter
/// name{label="value",other="value"} 42
/// ```
public struct PrometheusText: Sendable {
    /// The metric types this project exposes.
    public enum MetricType: String, Sendable {
        case counter, gauge, histogram
    }

    /// A label name and its (unescaped) value.
    public typealias Label = (name: String, value: String)

    /// The page written so far.
    public private(set) var output = ""

    public init() {}

    /// The `# HELP` and `# TYPE` lines that start a metric family.
    public mutating func family(_ name: String, _ type: MetricType, help: String) {
        output += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
    }

    /// One sample line, `name{labels} value`.
    public mutating func sample(_ name: String, _ labels: [Label], _ value: Int) {
        sample(name, labels, rendered: String(value))
    }

    /// One sample line with a floating-point value.
    public mutating func sample(_ name: String, _ labels: [Label], _ value: Double) {
        sample(name, labels, rendered: "\(value)")
    }

    /// A family with a single sample (a counter or gauge without per-label breakdown).
    public mutating func metric(_ name: String, _ type: MetricType, help: String, _ labels: [Label], _ value: Int) {
        family(name, type, help: help)
        sample(name, labels, value)
    }

    private mutating func sample(_ name: String, _ labels: [Label], rendered value: String) {
        output += name
        if !labels.isEmpty {
            output += "{" + labels.map { "\($0.name)=\"\(Self.escapeLabelValue($0.value))\"" }.joined(separator: ",") + "}"
        }
        output += " \(value)\n"
    }

    /// A label value as the format requires it: backslash, double quote and line feed
    /// written as `\\`, `\"` and `\n`.
    public static func escapeLabelValue(_ value: String) -> String {
        escape(value, quote: true)
    }

    /// HELP text as the format requires it: backslash and line feed written as `\\` and `\n`.
    public static func escapeHelp(_ text: String) -> String {
        escape(text, quote: false)
    }

    private static func escape(_ text: String, quote: Bool) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\"" where quote: escaped += "\\\""
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
