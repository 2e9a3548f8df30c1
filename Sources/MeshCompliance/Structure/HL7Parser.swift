/// Reads HL7 v2 messages by segment, field, repetition and component, so a value is known
/// as `PID-5.1` (family name) and not as "line 1".
///
/// The encoding characters come from MSH-1/MSH-2 (usually `|^~\&`). Segments end at CR, LF
/// or CRLF. Field numbers follow the standard: in MSH the field separator itself is MSH-1,
/// so the first `|`-split item after `MSH|` is MSH-2.
enum HL7Parser {
    /// What each field (or field component) holds, for the segments that carry PHI.
    /// Key: `SEG-n` (the whole field) or `SEG-n.c` (one component).
    static let meanings: [String: FieldMeaning] = [
        "PID-2": .identifier(.mrn), "PID-3": .identifier(.mrn), "PID-4": .identifier(.mrn),
        "PID-5": .identifier(.name), "PID-6": .identifier(.name), "PID-9": .identifier(.name),
        "PID-7": .personDate, "PID-29": .personDate,
        "PID-11.1": .identifier(.streetAddress), "PID-11.2": .identifier(.streetAddress),
        "PID-11.3": .identifier(.city), "PID-11.5": .identifier(.zip),
        "PID-13": .identifier(.phone), "PID-14": .identifier(.phone),
        "PID-18": .identifier(.account), "PID-19": .identifier(.ssn), "PID-20": .identifier(.license),
        "PID-21": .identifier(.mrn),
        "NK1-2": .identifier(.name),
        "NK1-4.1": .identifier(.streetAddress), "NK1-4.3": .identifier(.city), "NK1-4.5": .identifier(.zip),
        "NK1-5": .identifier(.phone), "NK1-6": .identifier(.phone), "NK1-16": .personDate, "NK1-37": .identifier(.ssn),
        "PV1-19": .identifier(.account), "PV1-44": .personDate, "PV1-45": .personDate,
        "IN1-16": .identifier(.name), "IN1-18": .personDate,
        "IN1-19.1": .identifier(.streetAddress), "IN1-19.3": .identifier(.city), "IN1-19.5": .identifier(.zip),
        "IN1-36": .identifier(.healthPlan), "IN1-49": .identifier(.healthPlan),
        "IN2-2": .identifier(.ssn), "IN2-8": .identifier(.healthPlan),
        "GT1-3": .identifier(.name), "GT1-5.1": .identifier(.streetAddress), "GT1-5.3": .identifier(.city),
        "GT1-5.5": .identifier(.zip), "GT1-6": .identifier(.phone), "GT1-7": .identifier(.phone), "GT1-8": .personDate,
        "GT1-12": .identifier(.ssn),
        "OBR-7": .personDate, "OBX-14": .personDate, "ORC-9": .systemDate, "EVN-2": .systemDate, "MSH-7": .systemDate,
    ]

    /// Components that never hold PHI inside otherwise identifying fields: the assigning
    /// authority and identifier type of a CX (PID-3.4, PID-3.5), a name's type code, the
    /// state and country of an address.
    /// Fields with a meaning per component (`PID-11.5`): their other components mean nothing,
    /// rather than the whole field's meaning. Read once instead of walking `meanings` per component.
    static let fieldsWithComponentMeanings: Set<String> = Set(meanings.keys.compactMap { key in
        key.firstIndex(of: ".").map { String(key[..<$0]) }
    })

    static func isNeutralComponent(_ key: String, field: String, component: Int) -> Bool {
        if ["PID-2", "PID-3", "PID-4", "PID-18", "PID-21"].contains(field) { return component > 1 }
        if ["PID-5", "PID-6", "PID-9", "NK1-2", "IN1-16", "GT1-3"].contains(field) { return component > 5 }
        if ["PID-13", "PID-14", "NK1-5", "NK1-6", "GT1-6", "GT1-7"].contains(field) {
            // XTN: 1 number, 2 use code, 3 equipment type, 4 e-mail, 6 area code, 7 local number.
            return component == 2 || component == 3 || component == 5
        }
        return false
    }

    static func parse(_ text: ScanText, from start: Int) -> DocumentStructure {
        let b = text.bytes
        let n = b.count
        var fields: [StructuredField] = []
        var errors: [StructureError] = []
        func error(_ at: Int, _ field: String?, _ message: String) {
            let (l, c) = StructureError.position(b, at)
            errors.append(StructureError(format: .hl7v2, line: l, column: c, field: field, message: message))
        }
        guard start + 8 <= n, b[start] == 0x4D, b[start + 1] == 0x53, b[start + 2] == 0x48 else {
            error(start, "MSH", "an HL7 v2 message starts with an MSH segment and its encoding characters")
            return DocumentStructure(format: .hl7v2, fields: [], errors: errors, aboutPerson: false)
        }
        let fieldSep = b[start + 3]
        let componentSep = b[start + 4], repetitionSep = b[start + 5]
        let subSep = b[start + 7]
        // MSH-1 and MSH-2: five distinct printable punctuation characters (usually `|^~\&`).
        let encoding = Array(b[(start + 3)..<(start + 8)])
        if encoding.contains(where: { $0 < 0x21 || $0 > 0x7E || ASCII.isAlnum($0) }) || Set(encoding).count != 5 {
            error(start + 3, "MSH-2", "invalid encoding characters")
            return DocumentStructure(format: .hl7v2, fields: [], errors: errors, aboutPerson: false)
        }
        var aboutPerson = false
        var i = start
        while i < n {
            // One segment: [i, end).
            var end = i
            while end < n && b[end] != 0x0D && b[end] != 0x0A { end += 1 }
            defer {
                i = end
                while i < n && (b[i] == 0x0D || b[i] == 0x0A) { i += 1 }
            }
            if end == i { continue }
            guard end - i >= 3, ASCII.isUpper(b[i]), ASCII.isAlnum(b[i + 1]), ASCII.isAlnum(b[i + 2]),
                  end - i == 3 || b[i + 3] == fieldSep else {
                error(i, nil, "not a segment: expected a three-character segment id and '\(Character(Unicode.Scalar(fieldSep)))'")
                continue
            }
            let segment = String(decoding: b[i..<(i + 3)], as: UTF8.self)
            if segment == "PID" { aboutPerson = true }
            var fieldNumber = segment == "MSH" ? 1 : 0
            var j = i + 3
            while j < end {
                // b[j] is a field separator.
                j += 1
                fieldNumber += 1
                var fieldEnd = j
                while fieldEnd < end && b[fieldEnd] != fieldSep { fieldEnd += 1 }
                if segment == "MSH" && fieldNumber == 2 { j = fieldEnd; continue }  // encoding characters
                if fieldEnd > j {
                    emitField(b, segment: segment, number: fieldNumber, j, fieldEnd, componentSep, repetitionSep, subSep, &fields)
                }
                j = fieldEnd
            }
        }
        return DocumentStructure(format: .hl7v2, fields: fields, errors: errors, aboutPerson: aboutPerson)
    }

    private static func emitField(_ b: [UInt8], segment: String, number: Int, _ s: Int, _ e: Int,
                                  _ componentSep: UInt8, _ repetitionSep: UInt8, _ subSep: UInt8,
                                  _ fields: inout [StructuredField]) {
        let field = "\(segment)-\(number)"
        var repetition = 1
        var r = s
        while r <= e {
            var repEnd = r
            while repEnd < e && b[repEnd] != repetitionSep { repEnd += 1 }
            let base = repetition == 1 ? field : "\(field)[\(repetition)]"
            var hasComponents = false
            var k = r
            while k < repEnd { if b[k] == componentSep { hasComponents = true; break }; k += 1 }
            if !hasComponents {
                if repEnd > r { fields.append(StructuredField(path: base, start: r, end: repEnd, meaning: meanings[field] ?? meanings["\(field).1"])) }
            } else {
                var component = 1
                var c = r
                while c <= repEnd {
                    var compEnd = c
                    while compEnd < repEnd && b[compEnd] != componentSep { compEnd += 1 }
                    if compEnd > c {
                        let key = "\(field).\(component)"
                        let meaning: FieldMeaning? = isNeutralComponent(key, field: field, component: component)
                            ? nil : (meanings[key] ?? (fieldsWithComponentMeanings.contains(field) ? nil : meanings[field]))
                        fields.append(StructuredField(path: "\(base).\(component)", start: c, end: compEnd, meaning: meaning))
                    }
                    component += 1
                    c = compEnd + 1
                }
            }
            repetition += 1
            r = repEnd + 1
        }
    }
}
