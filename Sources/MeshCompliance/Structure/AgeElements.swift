/// Ages written as FHIR `Age` or `Quantity` elements in JSON: `"onsetAge": {"value": 93,
/// "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"}`, `valueAge`,
/// `ageAge`, `deceasedAge`, a plain `"age": {"value": 93, "unit": "a"}`, and an Observation's
/// `valueQuantity` whose `code` is an age concept (LOINC `30525-0` Age and its kin).
///
/// Such a `value` is marked as an age (Safe Harbor (C)) when its unit is years; the detector
/// then reports it when it is over 89. A value in months or days (`93 d`, a newborn) or a
/// quantity of anything else (`93 kg`) stays unmarked.
enum AgeElements {
    /// LOINC codes of an age observation: age, reported age, calculated age, estimated age,
    /// age at death, age at specimen collection.
    static let ageCodes: Set<String> = ["30525-0", "21612-7", "29553-5", "21611-9", "39016-1", "63900-5", "35659-2"]

    /// UCUM codes and unit texts of years; `nil` (no unit written) counts as years.
    static let yearUnits: Set<String> = ["a", "a_j", "ann", "y", "yr", "yrs", "year", "years", "yo"]

    /// Marks the `value` fields of age elements in years as ``FieldMeaning/identifier(_:)`` `.age`.
    /// Cheap for documents without one: only a `.value` field holding a number of 90 to 130
    /// years (the ages the detector reports) makes it look at siblings; the number is read
    /// first, as most fields are not one.
    static func mark(_ fields: inout [StructuredField], text b: [UInt8]) {
        var candidates: [Int] = []
        for k in fields.indices where (90...130).contains(leadingNumber(b, fields[k].start, fields[k].end))
            && fields[k].path.utf8.reversed().starts(with: Self.valueSuffixReversed) {
            candidates.append(k)
        }
        if candidates.isEmpty { return }
        var values: [String: String] = [:]
        for f in fields where f.path.hasSuffix(".unit") || f.path.hasSuffix(".code") || f.path.hasSuffix(".text") {
            values[f.path] = String(decoding: b[f.start..<f.end], as: UTF8.self)
        }
        for k in candidates {
            let element = String(fields[k].path.dropLast(".value".count))  // `$.onsetAge`, `$.component[1].valueQuantity`
            guard let dot = element.lastIndex(of: ".") else { continue }
            let parent = String(element[..<dot])
            var key = element[element.index(after: dot)...]
            if let bracket = key.firstIndex(of: "[") { key = key[..<bracket] }
            let isAge: Bool
            if key == "valueQuantity" {
                isAge = (0..<4).contains { ageCodes.contains(values[parent + ".code.coding[\($0)].code"] ?? "") }
                    || (values[parent + ".code.text"].map { FieldLabel.words($0.utf8).contains("age") } ?? false)
            } else {
                isAge = FieldLabel.words(key.utf8).last == "age"
            }
            guard isAge else { continue }
            // The UCUM code decides when present; else the unit text; no unit means years.
            let unit = values[element + ".code"] ?? values[element + ".unit"]
            if let unit, !yearUnits.contains(unit.lowercased()) { continue }
            fields[k].meaning = .identifier(.age)
        }
    }

    static let valueSuffixReversed = Array(".value".utf8.reversed())

    /// The integer part of a number filling `b[s..<e]` (a fraction allowed), or -1.
    static func leadingNumber(_ b: [UInt8], _ s: Int, _ e: Int) -> Int {
        var i = s
        var v = 0
        while i < e && i - s < 4 && ASCII.isDigit(b[i]) { v = v * 10 + Int(b[i] &- 0x30); i += 1 }
        guard i > s, i - s < 4, i == e || b[i] == 0x2E else { return -1 }
        return v
    }
}
