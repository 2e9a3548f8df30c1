/// What the elements of FHIR resources mean (R4/R5 JSON): a `name` of a Patient is a
/// person's name, an `identifier.value` is whatever its `system` URI or `type` code says,
/// a `telecom.value` is a phone, fax or e-mail by its `system`.
enum FHIRFields {
    /// Resources that describe a person (their names and addresses are Safe Harbor (A)/(B)).
    static let personResources: Set<String> = ["Patient", "RelatedPerson", "Person", "Practitioner"]

    /// Identifier systems with a known class.
    static let identifierSystems: [(String, IdentifierClass)] = [
        ("http://hl7.org/fhir/sid/us-ssn", .ssn),
        ("urn:oid:2.16.840.1.113883.4.1", .ssn),
        ("http://hl7.org/fhir/sid/us-mbi", .healthPlan),
        ("http://hl7.org/fhir/sid/us-medicare", .healthPlan),
        ("http://hl7.org/fhir/sid/us-medicaid", .healthPlan),
        ("http://hl7.org/fhir/sid/us-npi", .otherIdentifier),
        ("http://hl7.org/fhir/sid/passport", .otherIdentifier),
    ]

    /// `identifier.type.coding.code` values (HL7 v2 table 0203) with a class.
    static let identifierTypeCodes: [String: IdentifierClass] = [
        "MR": .mrn, "MRT": .mrn, "PI": .mrn, "PT": .mrn, "SS": .ssn, "SB": .ssn, "MB": .healthPlan, "SN": .healthPlan,
        "MA": .healthPlan, "MC": .healthPlan, "AN": .account, "DL": .license, "LN": .license, "PPN": .otherIdentifier,
        "NPI": .otherIdentifier,
    ]

    static func refine(_ fields: [StructuredField], text b: [UInt8], resourceTypes: [(prefix: String, type: String)],
                       errors: [StructureError]) -> DocumentStructure {
        // Values of `system` and `code` elements, by path, for sibling look-ups.
        var values: [String: String] = [:]
        for f in fields where f.path.hasSuffix(".system") || f.path.hasSuffix(".code") || f.path.hasSuffix(".use") {
            values[f.path] = String(decoding: b[f.start..<f.end], as: UTF8.self)
        }
        // Longest prefix first (a contained resource before its container), each with its dot
        // as bytes: every field's path is compared with them, and `String.hasPrefix` and
        // Character-wise `dropFirst` cost more than the rest of reading a resource.
        let resources = resourceTypes.sorted { $0.prefix.utf8.count > $1.prefix.utf8.count }
            .map { (dotted: Array(($0.prefix + ".").utf8), prefix: $0.prefix, type: $0.type) }
        var aboutPerson = false
        var out = fields
        for k in out.indices {
            let path = out[k].path.utf8
            guard let resource = resources.first(where: { path.starts(with: $0.dotted) }) else { continue }
            if resource.type == "Patient" { aboutPerson = true }
            let relativeBytes = path.dropFirst(resource.dotted.count - 1)  // from the dot on
            let element = stripIndices(relativeBytes)
            if let kind = elementKinds[element] {
                if let m = meaning(kind, element: element, relative: String(decoding: relativeBytes, as: UTF8.self),
                                   resource: resource.type, prefix: resource.prefix, values: values) {
                    out[k].meaning = m
                }
            } else if element.hasSuffix(".system") || element.hasSuffix(".code") || element.hasSuffix(".reference")
                        || element == ".resourceType" || element == ".id" || element.hasPrefix(".meta.") || element.hasSuffix(".url") {
                // Codes, references and resource ids say what something is, not who.
                out[k].meaning = element.hasPrefix(".meta.last") ? .systemDate : nil
            }
        }
        return DocumentStructure(format: .fhir, fields: out, errors: errors, aboutPerson: aboutPerson || fields.contains { $0.meaning == .personDate })
    }

    /// `.name[0].given[1]` → `.name.given`.
    static func stripIndices(_ path: Substring.UTF8View) -> String {
        // Over UTF-8 bytes (`[` and `]` are ASCII, so they never occur inside a multi-byte
        // character): appending Characters one by one was a tenth of reading a FHIR resource.
        String(unsafeUninitializedCapacity: path.count) { out in
            var n = 0
            var skipping = false
            for b in path {
                if b == 0x5B { skipping = true } else if b == 0x5D { skipping = false } else if !skipping { out[n] = b; n += 1 }
            }
            return n
        }
    }

    static func meaning(_ kind: ElementKind, element: String, relative: String, resource: String, prefix: String,
                        values: [String: String]) -> FieldMeaning? {
        let person = personResources.contains(resource)
        /// The sibling element `name` of the element holding `relative`'s last component.
        func sibling(_ name: String) -> String? {
            guard let dot = relative.lastIndex(of: ".") else { return nil }
            return values[prefix + relative[..<dot] + "." + name]
        }
        switch kind {
        case .name:
            return person || element.hasPrefix(".contact") ? .identifier(.name) : nil
        case .personDate:
            return .personDate
        case .streetAddress:
            return .identifier(.streetAddress)
        case .city:
            return .identifier(.city)
        case .zip:
            return .identifier(.zip)
        case .telecom:
            switch sibling("system") {
            case "phone"?, "sms"?, "pager"?: return .identifier(.phone)
            case "fax"?: return .identifier(.fax)
            case "email"?: return .identifier(.email)
            case "url"?: return .identifier(.url)
            default: return .identifier(.phone)
            }
        case .subscriber:
            return .identifier(.healthPlan)
        case .identifier:
            if let system = sibling("system") {
                if let known = identifierSystems.first(where: { $0.0 == system }) { return .identifier(known.1) }
                let lower = system.lowercased()
                if lower.contains("mrn") || lower.contains("medical-record") { return .identifier(.mrn) }
                if lower.contains("member") || lower.contains("subscriber") { return .identifier(.healthPlan) }
            }
            // `identifier[n].type.coding[0].code`, written before or after the value.
            let base = relative.dropLast(".value".count)
            for index in 0..<3 {
                if let code = values[prefix + base + ".type.coding[\(index)].code"], let c = identifierTypeCodes[code] {
                    return .identifier(c)
                }
            }
            return .identifier(.otherIdentifier)
        case .eventDate:
            return resource == "Bundle" ? nil : .personDate
        }
    }

    /// What an element (indices stripped) holds, looked up once per field instead of comparing
    /// it with every element name in turn.
    enum ElementKind { case name, personDate, streetAddress, city, zip, telecom, identifier, subscriber, eventDate }

    static let elementKinds: [String: ElementKind] = {
        var kinds: [String: ElementKind] = [:]
        for e in [".name.given", ".name.family", ".name.text", ".name.prefix", ".contact.name.given", ".contact.name.family",
                  ".contact.name.text"] { kinds[e] = .name }
        for e in [".birthDate", ".deceasedDateTime", ".contact.birthDate"] { kinds[e] = .personDate }
        for e in [".address.line", ".address.text", ".contact.address.line", ".contact.address.text"] { kinds[e] = .streetAddress }
        for e in [".address.city", ".contact.address.city"] { kinds[e] = .city }
        for e in [".address.postalCode", ".contact.address.postalCode"] { kinds[e] = .zip }
        for e in [".telecom.value", ".contact.telecom.value"] { kinds[e] = .telecom }
        for e in [".identifier.value", ".contact.identifier.value"] { kinds[e] = .identifier }
        kinds[".subscriberId"] = .subscriber
        for e in [".period.start", ".period.end", ".effectiveDateTime", ".effectivePeriod.start", ".onsetDateTime",
                  ".recordedDate", ".performedDateTime", ".occurrenceDateTime", ".authoredOn", ".abatementDateTime",
                  ".issued", ".collection.collectedDateTime", ".hospitalization.period.start"] { kinds[e] = .eventDate }
        return kinds
    }()
}
