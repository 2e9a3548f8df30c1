/// Reads `INSERT INTO table (col, …) VALUES (v, …), (…);` wherever it occurs (migrations,
/// seed files, code strings): each value is labelled by its column, path `table[row].column`.
/// Statements without a column list carry no labels and are left to the text detectors.
enum SQLInsertParser {
    static let insert = Array("insert".utf8)
    static let into = Array("into".utf8)
    static let values = Array("values".utf8)
    static let null = Array("null".utf8)

    static func parse(_ text: ScanText) -> DocumentStructure {
        let b = text.bytes
        let n = b.count
        var fields: [StructuredField] = []
        var errors: [StructureError] = []
        for start in text.wordStarts where (b[start] | 0x20) == 0x69 && text.matchesLower(insert, at: start)
            && text.boundaryAfter(start + insert.count) {
            var i = skipSpace(b, start + insert.count)
            guard text.matchesLower(into, at: i), text.boundaryAfter(i + into.count) else { continue }
            i = skipSpace(b, i + into.count)
            // Table name, possibly quoted or schema-qualified.
            let tableStart = i
            while i < n && (ASCII.isWord(b[i]) || b[i] == 0x2E || b[i] == 0x22 || b[i] == 0x60 || b[i] == 0x5B || b[i] == 0x5D) { i += 1 }
            let table = String(decoding: b[tableStart..<i].filter { $0 != 0x22 && $0 != 0x60 && $0 != 0x5B && $0 != 0x5D }, as: UTF8.self)
            i = skipSpace(b, i)
            guard i < n, b[i] == 0x28, !table.isEmpty else { continue }
            // Column list.
            var columns: [(name: String, meaning: FieldMeaning?)] = []
            i += 1
            while i < n && b[i] != 0x29 {
                i = skipSpace(b, i)
                let s = i
                while i < n && b[i] != 0x2C && b[i] != 0x29 && b[i] != 0x0A { i += 1 }
                let raw = b[s..<i].filter { $0 != 0x22 && $0 != 0x60 && $0 != 0x5B && $0 != 0x5D && !ASCII.isWhitespace($0) }
                columns.append((String(decoding: raw, as: UTF8.self), SharedLabelCache.shared.meaning(raw[...])))
                if i < n && b[i] == 0x2C { i += 1 }
                if i < n && b[i] == 0x0A { break }
            }
            guard i < n, b[i] == 0x29 else { continue }
            i = skipSpace(b, i + 1)
            guard text.matchesLower(values, at: i) else { continue }
            i = skipSpace(b, i + values.count)
            var row = 0
            while i < n && b[i] == 0x28 {
                i += 1
                var column = 0
                while i < n && b[i] != 0x29 {
                    i = skipSpace(b, i)
                    var s = i, e = i
                    if i < n && b[i] == 0x27 {
                        s = i + 1
                        var j = s
                        while j < n {
                            if b[j] == 0x27 { if j + 1 < n && b[j + 1] == 0x27 { j += 2; continue }; break }
                            j += 1
                        }
                        e = min(j, n)
                        i = min(j + 1, n)
                    } else {
                        var depth = 0
                        while i < n && (depth > 0 || (b[i] != 0x2C && b[i] != 0x29)) {
                            if b[i] == 0x28 { depth += 1 } else if b[i] == 0x29 { depth -= 1 }
                            i += 1
                        }
                        e = i
                        while e > s && ASCII.isWhitespace(b[e - 1]) { e -= 1 }
                    }
                    if column < columns.count {
                        if e > s && !(e - s == 4 && text.matchesLower(null, at: s)) {
                            fields.append(StructuredField(path: "\(table)[\(row)].\(columns[column].name)", start: s, end: e,
                                                          meaning: columns[column].meaning))
                        }
                    } else if column == columns.count {
                        let (l, c) = StructureError.position(b, s)
                        errors.append(StructureError(format: .sql, line: l, column: c, field: "\(table)[\(row)]",
                                                     message: "more values than the \(columns.count) listed columns"))
                    }
                    column += 1
                    i = skipSpace(b, i)
                    if i < n && b[i] == 0x2C { i += 1 }
                }
                i = skipSpace(b, min(i + 1, n))
                row += 1
                if i < n && b[i] == 0x2C { i = skipSpace(b, i + 1) } else { break }
            }
        }
        return DocumentStructure(format: .sql, fields: fields, errors: errors)
    }

    private static func skipSpace(_ b: [UInt8], _ from: Int) -> Int {
        var i = from
        while i < b.count && ASCII.isWhitespace(b[i]) { i += 1 }
        return i
    }
}
