/// Reads CSV/TSV with a header row: each cell is labelled by its column's header, with the
/// path `$[row].column` (rows counted from 0 after the header). Quoted cells (RFC 4180,
/// `""` escapes, line breaks inside quotes) are read; an unterminated quote is an error
/// reported at its line, and the cells before it are kept.
enum DelimitedParser {
    static func parse(_ text: ScanText, from start: Int, tab: Bool) -> DocumentStructure {
        let b = text.bytes
        let n = b.count
        var errors: [StructureError] = []
        // The delimiter is the one of `,` `;` `\t` most frequent in the header line.
        var headerEnd = start
        while headerEnd < n && b[headerEnd] != 0x0A { headerEnd += 1 }
        var delimiter: UInt8 = tab ? 0x09 : 0x2C
        if !tab {
            let counts = [(UInt8(0x2C), 0), (UInt8(0x3B), 0), (UInt8(0x09), 0)].map { d in
                (d.0, b[start..<headerEnd].reduce(0) { $0 + ($1 == d.0 ? 1 : 0) })
            }
            if let best = counts.max(by: { $0.1 < $1.1 }), best.1 > 0 { delimiter = best.0 }
        }
        var meanings: [FieldMeaning?] = []
        var names: [String] = []
        var fields: [StructuredField] = []
        var row = -1
        var column = 0
        var i = start
        while i <= n {
            // One cell starting at i.
            var s = i, e = i
            if i < n && b[i] == 0x22 {
                s = i + 1
                var j = s
                var closed = false
                while j < n {
                    if b[j] == 0x22 {
                        if j + 1 < n && b[j + 1] == 0x22 { j += 2; continue }
                        closed = true
                        break
                    }
                    j += 1
                }
                guard closed else {
                    let (l, c) = StructureError.position(b, i)
                    errors.append(StructureError(format: .csv, line: l, column: c, field: row < 0 ? "header" : "row \(row + 1)",
                                                 message: "unterminated quoted cell"))
                    break
                }
                e = j
                i = j + 1
                while i < n && b[i] != delimiter && b[i] != 0x0A { i += 1 }
            } else {
                while i < n && b[i] != delimiter && b[i] != 0x0A { i += 1 }
                e = i
                if e > s && b[e - 1] == 0x0D { e -= 1 }
            }
            if row < 0 {
                meanings.append(SharedLabelCache.shared.meaning(b[s..<e]))
                names.append(String(decoding: b[s..<e], as: UTF8.self).trimmingSpaces)
            } else if e > s {
                let name = column < names.count ? names[column] : "column \(column + 1)"
                fields.append(StructuredField(path: "$[\(row)].\(name)", start: s, end: e,
                                              meaning: column < meanings.count ? meanings[column] : nil))
            }
            if i >= n { break }
            if b[i] == 0x0A {
                row += 1
                column = 0
            } else {
                column += 1
            }
            i += 1
        }
        return DocumentStructure(format: .csv, fields: fields, errors: errors)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
