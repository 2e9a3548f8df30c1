import Yams

/// Canonical text of a parsed YAML pack, the input of the bundle hash.
///
/// Mappings are emitted with keys sorted (by UTF-8 bytes), scalars as JSON-style quoted strings
/// (so quoting style, flow/block style, indentation, comments and key order do not matter),
/// sequences in document order (list order is kept). Aliases/anchors are rejected.
enum Canonical {
    static func form(of node: Node, file: String) throws -> String {
        var out = ""
        try write(node, into: &out, file: file)
        return out
    }

    private static func write(_ node: Node, into out: inout String, file: String) throws {
        switch node {
        case .scalar(let s):
            quote(s.string, into: &out)
        case .sequence(let seq):
            out += "["
            for (k, item) in seq.enumerated() {
                if k > 0 { out += "," }
                try write(item, into: &out, file: file)
            }
            out += "]"
        case .mapping(let m):
            var pairs: [(String, Node)] = []
            for (k, v) in m {
                var key = ""
                try write(k, into: &key, file: file)
                pairs.append((key, v))
            }
            pairs.sort { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            out += "{"
            for (k, pair) in pairs.enumerated() {
                if k > 0 { out += "," }
                out += pair.0 + ":"
                try write(pair.1, into: &out, file: file)
            }
            out += "}"
        case .alias:
            throw PolicyLoadError(file: file, line: node.mark?.line ?? 0, message: "YAML aliases are not allowed in policy packs")
        }
    }

    private static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
