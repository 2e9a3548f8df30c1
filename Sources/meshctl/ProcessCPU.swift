import Foundation
import MeshKafka

/// CPU time (user + system) consumed so far by other processes of this machine, read from
/// `/proc/<pid>/stat`; the pipeline benchmark's noise-resistant figure (on a shared machine,
/// objectives per second depend on what else runs, CPU per objective much less).
extension ProcessCPU {
    /// CPU seconds used by `pid` so far, or nil when it cannot be read (process gone, no /proc).
    static func seconds(of pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return seconds(statLine: text)
    }

    /// CPU seconds in one `/proc/<pid>/stat` line: fields 14 (utime) and 15 (stime), in clock
    /// ticks. The command name (field 2) is parenthesised and may contain spaces, so fields
    /// are counted after its closing parenthesis.
    static func seconds(statLine: String) -> Double? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ")
        // After ")": field 3 (state) is fields[0], so field n is fields[n - 3].
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
