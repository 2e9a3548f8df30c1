/// A made-up patient: held-out Census names, random numbers of valid shape.
struct SyntheticPerson {
    var first: String
    var last: String
    var middleInitial: String
    var ssn: String
    var mrn: String
    var memberID: String
    var account: String
    var license: String
    var birthYear: Int, birthMonth: Int, birthDay: Int
    var phoneArea: Int, phoneExchange: Int, phoneLine: Int
    var email: String
    var streetNumber: Int
    var street: String
    var unit: String?
    var city: String
    var state: String
    var zip: String

    /// Street names and suffixes of this generator's own (not the detector's table).
    static let streetNames = ["Oak", "Maple", "Cedar", "Pine", "Elm", "Walnut", "Chestnut", "Willow", "Birch", "Spruce",
                              "Lincoln", "Jefferson", "Madison", "Franklin", "Highland", "Sunset", "Ridgeview", "Meadow",
                              "Lakeview", "Orchard", "Mill", "Church", "Spring", "Valley", "Forest", "Prospect", "Summit",
                              "Harbor View", "Old Mill", "Fox Run", "Deer Creek", "Quail Hollow"]
    static let suffixes = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Lane", "Ln", "Drive", "Dr", "Court", "Ct",
                           "Way", "Boulevard", "Blvd", "Place", "Terrace", "Circle", "Parkway"]
    static let cities = ["Riverton", "Fairview", "Greenville", "Clinton", "Ashland", "Georgetown", "Milford", "Oakdale",
                         "Lakewood", "Brookfield", "Westfield", "Hillsboro", "Cedar Falls", "Mount Vernon", "Pleasant Hill",
                         "Glendale", "Salem", "Dover", "Auburn", "Bristol", "Kingston", "Marion", "Newport", "Oxford"]
    static let states = ["MA", "NY", "PA", "OH", "IL", "TX", "CA", "WA", "OR", "GA", "NC", "MI", "MN", "CO", "AZ", "VA"]
    static let mailProviders = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me", "aol.com", "hotmail.com", "comcast.net"]

    init(_ rng: inout EvaluationRandom) {
        first = rng.pick(HeldOutNames.first)
        last = rng.pick(HeldOutNames.last)
        middleInitial = String(rng.pick(Array("ABCDEFGHJKLMNPRSTW")))
        var area = rng.int(1...899)
        while area == 666 { area = rng.int(1...899) }
        ssn = String(format3(area)) + "-" + pad(rng.int(1...99), 2) + "-" + pad(rng.int(1...9999), 4)
        mrn = String(rng.int(1...9)) + rng.digits(rng.int(6...8))
        memberID = String((0..<3).map { _ in rng.pick(Array("ABCDEFGHJKLMNPQRSTUVWXYZ")) }) + rng.digits(9)
        account = String(rng.int(1...9)) + rng.digits(rng.int(7...9))
        license = String(rng.pick(Array("ABCDEFGHJKLMNPRSTWY"))) + rng.digits(7)
        birthYear = rng.int(1931...2004)
        birthMonth = rng.int(1...12)
        birthDay = rng.int(1...28)
        phoneArea = rng.pick([201, 212, 213, 215, 216, 303, 312, 313, 404, 412, 415, 503, 512, 602, 614, 617, 702, 713, 720, 802, 857, 914, 971])
        var exchange = rng.int(200...999)
        while exchange == 555 || exchange % 100 == 11 { exchange = rng.int(200...999) }
        phoneExchange = exchange
        phoneLine = rng.int(0...9999)
        email = "\(first.lowercased()).\(last.lowercased())\(rng.chance(50) ? String(rng.int(1...99)) : "")@\(rng.pick(Self.mailProviders))"
        streetNumber = rng.int(2...9899)
        street = rng.chance(50) ? rng.pick(Self.streetNames) : rng.pick(HeldOutNames.last)
        street += " " + rng.pick(Self.suffixes)
        unit = rng.chance(30) ? rng.pick(["Apt \(rng.int(1...40))\(rng.pick(["", "A", "B"]))", "Unit \(rng.int(1...300))", "#\(rng.int(2...99))"]) : nil
        city = rng.pick(Self.cities)
        state = rng.pick(Self.states)
        zip = pad(rng.int(10...989), 3) + rng.digits(2)
    }

    var fullName: String { "\(first) \(last)" }
    var streetLine: String { "\(streetNumber) \(street)" + (unit.map { ", \($0)" } ?? "") }
    var phoneDashed: String { "\(phoneArea)-\(phoneExchange)-\(pad(phoneLine, 4))" }
    var phoneParens: String { "(\(phoneArea)) \(phoneExchange)-\(pad(phoneLine, 4))" }
    var phoneDigits: String { "\(phoneArea)\(phoneExchange)\(pad(phoneLine, 4))" }
    var dobISO: String { "\(birthYear)-\(pad(birthMonth, 2))-\(pad(birthDay, 2))" }
    var dobUS: String { "\(pad(birthMonth, 2))/\(pad(birthDay, 2))/\(birthYear)" }
    var dobHL7: String { "\(birthYear)\(pad(birthMonth, 2))\(pad(birthDay, 2))" }
    var dobLong: String { "\(Self.months[birthMonth - 1]) \(birthDay), \(birthYear)" }
    var dobClinical: String { "\(pad(birthDay, 2))-\(String(Self.months[birthMonth - 1].prefix(3)))-\(birthYear)" }
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    func dob(_ rng: inout EvaluationRandom) -> String { rng.pick([dobISO, dobUS, dobLong, dobClinical]) }
}

func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

private func format3(_ v: Int) -> String { pad(v, 3) }

/// Values that look like identifiers or secrets and are not: one of each exclusion kind.
enum LookAlikes {
    static let reservedEmails = ["jane.doe@example.com", "alerts@api.example.org", "noreply@ci.example.net", "qa@staging.test", "root@box.localhost"]
    static let reservedURLs = ["https://api.example.com/v1/patients/123", "http://fhir.example.org/Patient/42", "https://portal.example.net/login",
                               "http://service.invalid/health", "https://demo.test/records"]
    static let privateIPs = ["10.20.30.40", "192.168.1.20", "172.18.0.5", "127.0.0.1", "169.254.169.254", "203.0.113.7", "198.51.100.23",
                             "fe80::1", "fd12:3456:789a::1", "2001:db8::8a2e:370:7334"]
    static let systemURIs = ["http://loinc.org", "http://snomed.info/sct", "http://hl7.org/fhir/sid/us-npi",
                             "http://terminology.hl7.org/CodeSystem/v2-0203", "http://nucc.org/provider-taxonomy",
                             "http://unitsofmeasure.org", "http://hl7.org/fhir/StructureDefinition/us-core-patient"]
    static let sampleNPI = "1234567893"
    static let fictionalPhones = ["617-555-0142", "(212) 555-0187", "415.555.0100", "+1 303 555 0199"]
    static let organisationAddress = "500 Harbor Point Blvd, Suite 400"
    static let workforceEmails = ["dana.kim@northwind-health.org", "oncall@northwind-health.org", "svc-ci@svc.northwind-health.org"]
    static let placeholderSecrets = ["AKIAXXXXXXXXXXXXXXXX", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "xoxb-your-bot-token",
                                     "${DB_PASSWORD}", "<your-api-key>", "changeme", "AKIAIOSFODNN7EXAMPLE",
                                     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"]
    static let supportLine = "1-888-642-7100"

    static func systemDate(_ rng: inout EvaluationRandom) -> String {
        "\(rng.int(2019...2026))-\(pad(rng.int(1...12), 2))-\(pad(rng.int(1...28), 2))"
    }
}

/// Live-looking secrets: random, high-entropy, in the vendors' formats.
enum SyntheticSecrets {
    static let alnum = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    static func random(_ rng: inout EvaluationRandom, _ count: Int, _ alphabet: [Character] = alnum) -> String {
        String((0..<count).map { _ in rng.pick(alphabet) })
    }

    static func awsKeyID(_ rng: inout EvaluationRandom) -> String {
        "AKIA" + random(&rng, 16, Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
    }
    /// A classic token as GitHub issues it: 30 random characters and the base62 CRC32 of them.
    static func githubToken(_ rng: inout EvaluationRandom) -> String {
        let body = random(&rng, 30)
        var crc: UInt32 = 0xFFFF_FFFF
        for b in body.utf8 {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        var n = UInt64(crc ^ 0xFFFF_FFFF)
        let digits = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var check = ""
        for _ in 0..<6 { check = String(digits[Int(n % 62)]) + check; n /= 62 }
        return "ghp_" + body + check
    }
    static func githubFineGrained(_ rng: inout EvaluationRandom) -> String { "github_pat_" + random(&rng, 22) + "_" + random(&rng, 59) }
    static func slackBot(_ rng: inout EvaluationRandom) -> String {
        "xoxb-" + rng.digits(11) + "-" + rng.digits(12) + "-" + random(&rng, 24)
    }
    static func password(_ rng: inout EvaluationRandom) -> String {
        // URL-safe, so it can sit in a connection URL unencoded.
        random(&rng, 1, alnum) + random(&rng, rng.int(11...19), alnum + Array("-_.~"))
    }
    static func slackWebhook(_ rng: inout EvaluationRandom) -> String {
        "https://hooks.slack.com/services/T" + random(&rng, 8, Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")) + "/B"
            + random(&rng, 10, Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")) + "/" + random(&rng, 24)
    }
    static func bearer(_ rng: inout EvaluationRandom) -> String { random(&rng, 40, alnum + Array("-_.")) }
}
