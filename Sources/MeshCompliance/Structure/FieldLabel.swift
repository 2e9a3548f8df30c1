/// What a key, column or field name says about the value it holds.
///
/// Keys arrive in every style code and config use (`mrn`, `MRN`, `member_id`, `memberId`,
/// `member-id`, `Member ID`, `patient.account`); they are first split into lowercase words
/// (`member id`, `patient account`) and then matched word-wise, so one vocabulary serves
/// JSON, YAML, `.env`, properties, code literals, CSV headers, SQL columns and log pairs.
public enum FieldMeaning: Sendable, Equatable {
    /// The value is an identifier of this class.
    case identifier(IdentifierClass)
    /// A date about a person (birth, admission, discharge, death, service): PHI.
    case personDate
    /// A date about the system (`created_at`, `timestamp`, `release_date`): not PHI.
    case systemDate
    /// `name` with no word saying whose: PHI only when the value looks like a person's name.
    case ambiguousName
}

public enum FieldLabel {
    /// Lowercase words of a key: splits on `_ - . space /` and on lower→upper case changes
    /// (`memberId` → `member id`, `PatientMRN` → `patient mrn`).
    public static func words(_ key: some Collection<UInt8>) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        var previous: UInt8 = 0
        for b in key {
            if ASCII.isAlnum(b) {
                let lowerToUpper = ASCII.isUpper(b) && (ASCII.isLower(previous) || ASCII.isDigit(previous))
                if lowerToUpper && !current.isEmpty {
                    words.append(String(decoding: current, as: UTF8.self))
                    current.removeAll(keepingCapacity: true)
                }
                current.append(ASCII.lower(b))
            } else if !current.isEmpty {
                words.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
            previous = b
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }

    /// The meaning of a key, or `nil` when the key says nothing identifying.
    public static func meaning(of key: some Collection<UInt8>) -> FieldMeaning? {
        meaning(words: words(key))
    }

    /// The meaning of an already split key. Phrases are checked before single words, so
    /// `birth date` is a person date and not just a date, `account number` not just `number`.
    public static func meaning(words w: [String]) -> FieldMeaning? {
        if w.isEmpty { return nil }
        let joined = w.joined(separator: " ")
        let set = Set(w)
        // Joined forms catch keys written without separators (`dateofbirth`, `zipcode`).
        let squashed = w.joined()

        // Dates first: `birth_date`, `admit_date`, `created_at`, `release_date`.
        let dateWord = set.contains("date") || set.contains("dt") || set.contains("at") || set.contains("on")
            || set.contains("time") || set.contains("timestamp") || set.contains("datetime") || set.contains("ts")
        if squashed.contains("dateofbirth") || set.contains("dob") || set.contains("birthdate") || set.contains("birthday")
            || (set.contains("birth") && (dateWord || w.count == 1)) || set.contains("born") {
            return .personDate
        }
        if !set.isDisjoint(with: personDateWords) && (dateWord || set.contains("dos")) { return .personDate }
        if set.contains("dos") || squashed == "deceaseddatetime" || squashed == "dateofdeath" || squashed == "dateofservice" {
            return .personDate
        }
        if !set.isDisjoint(with: systemDateWords) || (dateWord && w.count == 1 && (w[0] == "timestamp" || w[0] == "time" || w[0] == "ts")) {
            return .systemDate
        }

        if set.contains("ssn") || joined.contains("social security") || squashed.contains("socialsecurity") {
            return .identifier(.ssn)
        }
        if set.contains("mrn") || joined.contains("medical record") || squashed.contains("medicalrecord")
            || joined.contains("chart number") || joined.contains("chart no") || joined == "patient id"
            || joined == "patient number" || joined == "patient no" || joined == "record number" {
            return .identifier(.mrn)
        }
        if joined.contains("member id") || joined.contains("member number") || joined.contains("member no")
            || joined.contains("subscriber id") || joined.contains("subscriber number") || joined.contains("policy number")
            || joined.contains("policy no") || joined.contains("policy id") || set.contains("mbi") || set.contains("beneficiary")
            || joined.contains("medicare id") || joined.contains("medicaid id") || joined.contains("medicare number")
            || joined.contains("medicaid number") || joined.contains("insurance id") || joined.contains("insurance number")
            || joined.contains("health plan") || joined.contains("plan member") || squashed == "memberid" {
            return .identifier(.healthPlan)
        }
        if set.contains("account") || set.contains("acct") || squashed.contains("accountnumber") {
            // `account_type`, `account_status`, `service_account` say nothing about a person.
            if !set.isDisjoint(with: ["type", "status", "name", "service", "kind", "role", "enabled", "url", "region", "email"]) {
                return set.contains("email") ? .identifier(.email) : nil
            }
            return .identifier(.account)
        }
        if set.contains("license") || set.contains("licence") || joined.contains("drivers lic") || joined == "dl"
            || joined.contains("dl number") || squashed.contains("driverlicense") {
            if !set.isDisjoint(with: ["type", "file", "url", "key", "spdx", "name", "text"]) { return nil }
            return .identifier(.license)
        }
        if set.contains("vin") || joined.contains("license plate") || joined.contains("plate number") {
            return .identifier(.vehicle)
        }
        if joined.contains("serial number") || set.contains("serial") || set.contains("udi") || joined.contains("device id") {
            return .identifier(.device)
        }
        if set.contains("fax") { return .identifier(.fax) }
        if !set.isDisjoint(with: ["phone", "telephone", "tel", "mobile", "cell", "cellphone", "homephone", "workphone"])
            || joined.contains("contact number") {
            return .identifier(.phone)
        }
        if set.contains("email") || (set.contains("e") && set.contains("mail")) || set.contains("mail") {
            return .identifier(.email)
        }
        if set.contains("zip") || set.contains("zipcode") || joined.contains("postal code") || set.contains("postcode")
            || set.contains("postalcode") {
            return .identifier(.zip)
        }
        if set.contains("city") || set.contains("town") { return .identifier(.city) }
        if set.contains("street") || set.contains("address1") || set.contains("address2") || set.contains("addr")
            || (set.contains("address") && set.isDisjoint(with: ["ip", "mac", "email", "server", "bind", "listen", "host", "remote", "wallet", "memory", "base"]))
            || joined == "line1" || joined == "line 1" || joined == "address line" {
            return .identifier(.streetAddress)
        }
        if set.contains("ip") && (set.contains("address") || set.contains("client") || set.contains("remote") || w.count == 1) {
            return .identifier(.ip)
        }
        if !set.isDisjoint(with: personNameWords) && (set.contains("name") || set.contains("names") || w.count == 1 || set.contains("of")) {
            return .identifier(.name)
        }
        if !set.isDisjoint(with: ["first", "last", "given", "family", "middle", "full", "maiden", "legal", "preferred"])
            && (set.contains("name") || set.contains("names")) {
            return .identifier(.name)
        }
        // `{"patient": {"first": …}}`: the enclosing key says whose, the key which part.
        if w.count <= 4, let part = w.last, ["first", "last", "given", "family", "middle", "full", "surname"].contains(part),
           w.dropLast().contains(where: { personNameWords.contains($0) }) {
            return .identifier(.name)
        }
        if ["firstname", "lastname", "givenname", "familyname", "fullname", "surname", "forename", "maidenname"].contains(squashed) {
            return .identifier(.name)
        }
        if w == ["name"] || w.last == "name" && w.count == 2 && ["display", "contact", "person"].contains(w[0]) { return .ambiguousName }
        return nil
    }

    /// Words that make a date about a person.
    static let personDateWords: Set<String> = [
        "admit", "admitted", "admission", "discharge", "discharged", "death", "died", "deceased", "expired", "service",
        "visit", "encounter", "procedure", "surgery", "operation", "appointment", "onset", "diagnosis", "injury",
        "collection", "specimen", "vaccination", "immunization", "dod", "delivery", "transfer",
    ]

    /// Words that make a date about the system.
    static let systemDateWords: Set<String> = [
        "created", "updated", "modified", "timestamp", "release", "released", "build", "built", "published", "expires",
        "expiry", "generated", "deployed", "commit", "committed", "started", "finished", "copyright", "version",
        "since", "until", "effective", "retention", "ttl", "scheduled",
    ]

    /// Words that say a name is a person's.
    static let personNameWords: Set<String> = [
        "patient", "patients", "pt", "surname", "guarantor", "kin", "nok", "insured", "subscriber", "member", "mother",
        "father", "spouse", "guardian", "emergency", "relative", "caregiver", "beneficiary", "resident",
        "person", "individual",
    ]
}
