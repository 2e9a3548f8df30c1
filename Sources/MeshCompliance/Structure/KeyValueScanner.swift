/// Reads `key: value` and `key = value` pairs from any text: YAML, TOML, `.env`, properties,
/// code literals (`"mrn": "…"`, `let memberId = …`, `{'ssn': …}`), log pairs
/// (`user=jdoe mrn=88123456`) and note headings (`Date of birth: …`, `**MRN:** …`).
///
/// A key at the start of a line (after indentation, `- `, `* `, `#`, `export `) may hold
/// spaces (`Member ID:`) and its value runs to the end of the line; a key inside a line is
/// one token and its value one token or one quoted string. YAML nesting gives the path
/// (`$.patient.mrn`), as do TOML/INI sections (`[patient]` then `mrn = …`); elsewhere the path
/// is the key.
///
/// In source code (`code`), a label only labels a literal: `name: String` and
/// `address.port = htons(…)` are declarations, `"mrn": "0012345"` and `let mrn = 0012345`
/// are data; and a key is one identifier, never a phrase.
enum KeyValueScanner {
    static let export = Array("export ".utf8)

    static func scan(_ text: ScanText, code: Bool = false) -> DocumentStructure {
        let b = text.bytes
        let n = b.count
        var fields: [StructuredField] = []
        // YAML parents: (indent, key) of lines whose value is empty.
        var parents: [(indent: Int, key: String)] = [] {
            didSet { parentPath = nil }
        }
        // `$.a.b` of the current parents, built when a field first needs it after they change.
        var parentPath: String?
        var lineStart = 0
        while lineStart < n {
            var lineEnd = lineStart
            while lineEnd < n && b[lineEnd] != 0x0A { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            var i = lineStart
            while i < lineEnd && (b[i] == 0x20 || b[i] == 0x09) { i += 1 }
            var indent = i - lineStart
            // List items and markdown bullets/headings/bold.
            while i + 1 < lineEnd && (b[i] == 0x2D || b[i] == 0x2A || b[i] == 0x23 || b[i] == 0x3E) && (b[i + 1] == 0x20 || b[i + 1] == 0x2A) {
                i += 2
                while i < lineEnd && (b[i] == 0x20 || b[i] == 0x2A) { i += 1 }
                indent = i - lineStart
            }
            if i >= lineEnd { continue }
            // A TOML/INI section (`[fixtures.patient]`) is the parent of the keys below it.
            if !code && b[i] == 0x5B, let close = (i..<lineEnd).last(where: { b[$0] == 0x5D }), close > i + 1,
               b[(i + 1)..<close].allSatisfy({ ASCII.isWord($0) || $0 == 0x2E || $0 == 0x2D || $0 == 0x22 || $0 == 0x5B }) {
                let name = String(decoding: b[(i + 1)..<close].filter { $0 != 0x5B && $0 != 0x22 }, as: UTF8.self)
                parents = [(-1, name)]
                continue
            }
            if b[i] == 0x23 || (b[i] == 0x2F && i + 1 < lineEnd && b[i + 1] == 0x2F) {
                // A comment line still has pairs worth reading (`# MRN: 123`), but not YAML structure.
                i += 1
                while i < lineEnd && (b[i] == 0x2F || b[i] == 0x23 || b[i] == 0x20) { i += 1 }
            }
            if i + 7 < lineEnd && text.matchesLower(Self.export, at: i) { i += 7 }

            // Line-leading key with spaces allowed, separated by ':'.
            if let (keyEnd, valueStart) = leadingKey(b, i, lineEnd, phrases: !code) {
                let key = b[i..<keyEnd]
                while let last = parents.last, last.indent >= indent { parents.removeLast() }
                let keyString = key.contains(where: { $0 == 0x22 || $0 == 0x27 })
                    ? String(decoding: key.filter { $0 != 0x22 && $0 != 0x27 }, as: UTF8.self) : String(decoding: key, as: UTF8.self)
                let (vs, ve) = valueSpan(b, valueStart, lineEnd)
                if ve > vs && (!code || isLiteral(b, valueStart, ve)) {
                    if parentPath == nil { parentPath = "$" + parents.map { "." + $0.key }.joined() }
                    let path = parentPath! + "." + keyString
                    var meaning = SharedLabelCache.shared.meaning(key)
                    if meaning == nil || meaning == .ambiguousName, !parents.isEmpty {
                        let combined = Array((parents.suffix(2).map(\.key) + [""]).joined(separator: ".").utf8) + key
                        if let m = SharedLabelCache.shared.meaning(combined[...]) { meaning = m }
                    }
                    fields.append(StructuredField(path: path, start: vs, end: ve, meaning: meaning))
                    // An unquoted value may hold `k=v` pairs (a log message); after a quoted one
                    // the line may go on with more pairs (`'ssn': '…', 'dob': '…'`).
                    if b[valueStart] != 0x22 && b[valueStart] != 0x27 {
                        inlinePairs(text, vs, ve, &fields, code: code)
                    } else if ve + 1 < lineEnd {
                        inlinePairs(text, ve + 1, lineEnd, &fields, code: code)
                    }
                } else if ve == vs && b[keyEnd] == 0x3A {
                    parents.append((indent, keyString))
                } else if code {
                    inlinePairs(text, valueStart, lineEnd, &fields, code: code)
                }
                continue
            }
            inlinePairs(text, i, lineEnd, &fields, code: code)
        }
        return DocumentStructure(format: .keyValue, fields: fields)
    }

    /// A key at `i` made of words (letters, digits, `_ - . ' ( ) /` and single spaces, at most
    /// six words, optionally quoted or bold) followed by `:` or `=` and then a space, a quote
    /// or the end of the line. Returns the key end and where the value begins.
    static func leadingKey(_ b: [UInt8], _ i: Int, _ lineEnd: Int, phrases: Bool) -> (Int, Int)? {
        var j = i
        let quote: UInt8? = (b[j] == 0x22 || b[j] == 0x27) ? b[j] : nil
        if quote != nil { j += 1 }
        guard j < lineEnd, ASCII.isLetter(b[j]) || b[j] == 0x5F else { return nil }
        let keyStart = j
        var spaces = 0
        while j < lineEnd {
            let c = b[j]
            if ASCII.isWord(c) || c == 0x2D || c == 0x2E || (spaces == 0 && c == 0x2F) || c == 0x27 && quote == nil && j > keyStart {
                j += 1
            } else if c == 0x20 && phrases && quote == nil && j + 1 < lineEnd && ASCII.isLetter(b[j + 1]) {
                // A label phrase (`Date of birth:`, `Member ID:`): at most four words.
                spaces += 1
                if spaces > 3 { return nil }
                j += 1
            } else {
                break
            }
        }
        let keyEnd = j
        if let q = quote { guard j < lineEnd, b[j] == q else { return nil }; j += 1 }
        while j < lineEnd && b[j] == 0x2A { j += 1 }  // **Label:** and **Label**:
        while j < lineEnd && b[j] == 0x20 && spaces == 0 { j += 1 }
        guard j < lineEnd, b[j] == 0x3A || (b[j] == 0x3D && spaces == 0) else { return nil }
        let sep = b[j]
        j += 1
        if sep == 0x3A && j < lineEnd && (b[j] == 0x3A || b[j] == 0x2F || b[j] == 0x3D) { return nil }  // `::`, `://`, `:=`
        if sep == 0x3D && j < lineEnd && (b[j] == 0x3D || b[j] == 0x3E) { return nil }  // `==`, `=>`
        while j < lineEnd && b[j] == 0x2A { j += 1 }
        if sep == 0x3A && j < lineEnd && b[j] != 0x20 && b[j] != 0x09 && b[j] != 0x22 && b[j] != 0x27 { return nil }
        while j < lineEnd && (b[j] == 0x20 || b[j] == 0x09) { j += 1 }
        return (keyEnd, j)
    }

    /// The value from `s` to the line end: inside quotes when quoted, otherwise trimmed of
    /// trailing spaces, `,`, `;` and a ` #` comment.
    static func valueSpan(_ b: [UInt8], _ s: Int, _ lineEnd: Int) -> (Int, Int) {
        if s < lineEnd && (b[s] == 0x22 || b[s] == 0x27) {
            let q = b[s]
            var j = s + 1
            while j < lineEnd && b[j] != q { if b[j] == 0x5C { j += 1 }; j += 1 }
            return (s + 1, min(j, lineEnd))
        }
        var e = lineEnd
        var k = s
        while k + 1 < lineEnd {
            if b[k] == 0x20 && b[k + 1] == 0x23 { e = k; break }
            k += 1
        }
        while e > s && (ASCII.isWhitespace(b[e - 1]) || b[e - 1] == 0x2C || b[e - 1] == 0x3B) { e -= 1 }
        return (s, e)
    }

    /// A quoted string or a number: what a label in source code can label.
    static func isLiteral(_ b: [UInt8], _ s: Int, _ e: Int) -> Bool {
        guard s < e else { return false }
        if b[s] == 0x22 || b[s] == 0x27 || b[s] == 0x60 { return true }
        return (s..<e).allSatisfy { ASCII.isDigit(b[$0]) || b[$0] == 0x2D || b[$0] == 0x2E }
    }

    /// One-token pairs inside a line: `user=jdoe mrn=88123456`, `"ssn": "…"`, `memberId: '…'`.
    static func inlinePairs(_ t: ScanText, _ from: Int, _ to: Int, _ fields: inout [StructuredField],
                            code: Bool = false) {
        let b = t.bytes
        var i = from
        while i < to {
            let c = b[i]
            guard ASCII.isLetter(c) || c == 0x5F, t.boundaryBefore(i), i == 0 || b[i - 1] != 0x2D else { i += 1; continue }
            let keyStart = i
            while i < to && (ASCII.isWord(b[i]) || b[i] == 0x2D || (b[i] == 0x2E && i + 1 < to && ASCII.isLetter(b[i + 1]))) { i += 1 }
            let keyEnd = i
            var j = i
            if j < to && (b[j] == 0x22 || b[j] == 0x27) && keyStart > 0 && b[keyStart - 1] == b[j] { j += 1 }
            if j < to && b[j] == 0x5D && keyStart > 1 && b[keyStart - 2] == 0x5B { j += 1 }  // ["key"] = …
            while j < to && b[j] == 0x20 { j += 1 }
            guard j < to else { break }
            var sep = b[j]
            if sep == 0x3A && j + 1 < to && b[j + 1] == 0x3D { j += 1; sep = 0x3D }  // :=
            guard sep == 0x3D || sep == 0x3A else { continue }
            if j + 1 < to && (b[j + 1] == 0x3D || (sep == 0x3A && (b[j + 1] == 0x3A || b[j + 1] == 0x2F))) { i = j + 2; continue }
            if sep == 0x3D && j > 0 && (b[j - 1] == 0x21 || b[j - 1] == 0x3C || b[j - 1] == 0x3E) { i = j + 1; continue }
            j += 1
            if j < to && b[j] == 0x3E { j += 1 }  // =>
            while j < to && b[j] == 0x20 { j += 1 }
            guard j < to else { break }
            var vs = j, ve = j
            if b[j] == 0x22 || b[j] == 0x27 || b[j] == 0x60 {
                let q = b[j]
                vs = j + 1
                var k = vs
                while k < to && b[k] != q { if b[k] == 0x5C { k += 1 }; k += 1 }
                ve = min(k, to)
                i = min(k + 1, to)
            } else {
                while ve < to && !ASCII.isWhitespace(b[ve]) && b[ve] != 0x2C && b[ve] != 0x3B && b[ve] != 0x29 && b[ve] != 0x7D
                        && b[ve] != 0x5D && b[ve] != 0x26 && b[ve] != 0x7C { ve += 1 }
                i = ve
                if code && !isLiteral(b, vs, ve) { continue }
            }
            if ve > vs {
                let key = b[keyStart..<keyEnd]
                fields.append(StructuredField(path: String(decoding: key, as: UTF8.self), start: vs, end: ve, meaning: SharedLabelCache.shared.meaning(key)))
            }
        }
    }
}
