/// What a finding is, in the vocabulary a privacy officer uses: the eighteen HIPAA Safe Harbor
/// identifier classes of 45 CFR §164.514(b)(2)(i)(A)–(R), plus credentials.
///
/// Several classes share one Safe Harbor letter (street address, city and ZIP are all (B)):
/// they are kept apart because each needs its own evidence and its own remedy.
public enum IdentifierClass: String, Sendable, Codable, CaseIterable, Comparable {
    case name
    case streetAddress = "street_address"
    case city
    case zip
    case date
    case age
    case phone
    case fax
    case email
    case ssn
    case mrn
    case healthPlan = "health_plan"
    case account
    case license
    case vehicle
    case device
    case url
    case ip
    case otherIdentifier = "other_identifier"
    case secret

    /// The Safe Harbor letter, `nil` for credentials (not PHI, but never allowed either).
    public var safeHarborLetter: String? {
        switch self {
        case .name: return "A"
        case .streetAddress, .city, .zip: return "B"
        case .date, .age: return "C"
        case .phone: return "D"
        case .fax: return "E"
        case .email: return "F"
        case .ssn: return "G"
        case .mrn: return "H"
        case .healthPlan: return "I"
        case .account: return "J"
        case .license: return "K"
        case .vehicle: return "L"
        case .device: return "M"
        case .url: return "N"
        case .ip: return "O"
        case .otherIdentifier: return "R"
        case .secret: return nil
        }
    }

    /// `name (A)`, `secret`: what findings and reports print.
    public var label: String {
        safeHarborLetter.map { "\(rawValue) (\($0))" } ?? rawValue
    }

    /// Index in `allCases` (a switch: this is asked per field and per match).
    var position: Int {
        switch self {
        case .name: return 0
        case .streetAddress: return 1
        case .city: return 2
        case .zip: return 3
        case .date: return 4
        case .age: return 5
        case .phone: return 6
        case .fax: return 7
        case .email: return 8
        case .ssn: return 9
        case .mrn: return 10
        case .healthPlan: return 11
        case .account: return 12
        case .license: return 13
        case .vehicle: return 14
        case .device: return 15
        case .url: return 16
        case .ip: return 17
        case .otherIdentifier: return 18
        case .secret: return 19
        }
    }

    public static func < (a: IdentifierClass, b: IdentifierClass) -> Bool { a.rawValue < b.rawValue }
}
