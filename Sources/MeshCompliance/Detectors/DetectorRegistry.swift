/// Maps detector names used in policy packs to factories that build configured detectors.
public struct DetectorRegistry: Sendable {
    /// Builds a detector from its parameters; must call `finish()` on them.
    public typealias Factory = @Sendable (inout DetectorParameters) throws -> ConfiguredDetector

    private var factories: [String: Factory]

    public init(_ factories: [String: Factory]) { self.factories = factories }

    /// Sorted detector names.
    public var names: [String] { factories.keys.sorted() }

    /// Registers (or replaces) a detector.
    public mutating func register(_ name: String, _ factory: @escaping Factory) { factories[name] = factory }

    /// Builds the named detector; `nil` when the name is unknown.
    public func make(_ name: String, _ params: inout DetectorParameters) throws -> ConfiguredDetector? {
        guard let f = factories[name] else { return nil }
        let d = try f(&params)
        try params.finish()
        return d
    }

    /// A pattern detector reporting `cls`, adding labelled fields of that class when
    /// `fields` (see ``FieldAwareDetector``).
    static func classified(_ cls: IdentifierClass, _ inner: (any TextDetector)?, fields: Bool = true) -> ConfiguredDetector {
        .text(FieldAwareDetector(cls, inner: inner, readsFields: fields))
    }

    /// The `class` parameter of detectors that serve several identifier classes.
    static func identifierClass(_ p: inout DetectorParameters, default def: IdentifierClass) throws -> IdentifierClass {
        let name = try p.string("class", default: def.rawValue) ?? def.rawValue
        guard let cls = IdentifierClass(rawValue: name) else {
            throw DetectorConfigError(parameter: "class", "unknown class \"\(name)\"; known: \(IdentifierClass.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return cls
    }

    /// The built-in detectors. PHI detectors read labelled fields of their class as well as
    /// the text (JSON/YAML keys, CSV headers, SQL columns, FHIR elements, HL7 fields).
    public static let standard = DetectorRegistry([
        // HIPAA Safe Harbor identifiers
        "person_name": { _ in classified(.name, PersonNameDetector()) },
        "street_address": { _ in classified(.streetAddress, StreetAddressDetector()) },
        "city": { _ in classified(.city, CityDetector()) },
        "us_ssn": { p in classified(.ssn, SSNDetector(labelledUnseparated: try p.bool("labelled_unseparated", default: true))) },
        "us_phone": { _ in classified(.phone, PhoneDetector(mode: .phone)) },
        "us_fax": { _ in classified(.fax, PhoneDetector(mode: .fax)) },
        "email": { _ in classified(.email, EmailDetector()) },
        "labelled_identifier": { p in
            let labels = try p.strings("labels", default: [])
            guard !labels.isEmpty else { throw DetectorConfigError(parameter: "labels", "at least one label is required") }
            let kind = try p.string("kind", default: "identifier") ?? "identifier"
            let cls = try identifierClass(&p, default: .otherIdentifier)
            return classified(cls, LabelledIdentifierDetector(labels: labels, kind: kind, minDigits: try p.int("min_digits", default: 4, in: 1...64)))
        },
        "structured_field": { p in classified(try identifierClass(&p, default: .otherIdentifier), nil) },
        "date": { p in classified(.date, DateDetector(personDatesOnly: try p.bool("person_dates_only", default: false))) },
        "age_over_89": { _ in classified(.age, AgeOver89Detector()) },
        "us_zip": { _ in classified(.zip, ZipCodeDetector()) },
        "ipv4": { _ in classified(.ip, IPv4Detector(), fields: false) },
        "ipv6": { _ in classified(.ip, IPv6Detector(), fields: false) },
        "url": { _ in classified(.url, URLDetector(), fields: false) },
        "us_npi": { _ in classified(.otherIdentifier, NPIDetector(), fields: false) },
        "us_dea": { _ in classified(.license, DEADetector(), fields: false) },
        "vin": { _ in classified(.vehicle, VINDetector(), fields: false) },
        // Secrets
        "aws_access_key_id": { _ in classified(.secret, PrefixedTokenDetector.awsAccessKeyId, fields: false) },
        "aws_secret_access_key": { p in
            let keys = try p.strings("keys", default: ["aws_secret_access_key", "aws_secret_key", "secret_access_key", "awssecretaccesskey", "aws_secret"])
            return classified(.secret, AssignmentSecretDetector(keys: keys, kind: "AWS secret access key", minLength: 40, minDistinct: 10, placeholders: [], valueLength: 40), fields: false)
        },
        "private_key": { p in classified(.secret, PrivateKeyDetector(requireBody: try p.bool("require_body", default: true)), fields: false) },
        "github_token": { _ in classified(.secret, PrefixedTokenDetector.github, fields: false) },
        "slack_token": { _ in classified(.secret, PrefixedTokenDetector.slack, fields: false) },
        "google_api_key": { _ in classified(.secret, PrefixedTokenDetector.googleAPIKey, fields: false) },
        "jwt": { _ in classified(.secret, JWTDetector(), fields: false) },
        "connection_url_password": { _ in classified(.secret, ConnectionURLPasswordDetector(), fields: false) },
        "webhook_url": { _ in classified(.secret, WebhookURLDetector(), fields: false) },
        "header_secret": { _ in classified(.secret, HeaderSecretDetector(), fields: false) },
        "secret_assignment": { p in
            let keys = try p.strings("keys", default: ["password", "passwd", "pwd", "secret", "api_key", "apikey", "access_token", "auth_token", "client_secret"])
            let placeholders = try p.strings("placeholders", default: AssignmentSecretDetector.defaultPlaceholders)
            let entropyKeys = try p.strings("entropy_keys", default: [])
            guard let minEntropy = Double(try p.string("min_entropy", default: "3.5") ?? "3.5"), minEntropy >= 0, minEntropy <= 8 else {
                throw DetectorConfigError(parameter: "min_entropy", "expected bits per character between 0 and 8")
            }
            return classified(.secret, AssignmentSecretDetector(
                keys: keys, kind: "hard-coded secret", minLength: try p.int("min_length", default: 8, in: 1...512),
                minDistinct: try p.int("min_distinct", default: 5, in: 1...64), placeholders: placeholders,
                entropyKeys: entropyKeys, minEntropy: minEntropy,
                entropyMinLength: try p.int("entropy_min_length", default: 20, in: 8...512)), fields: false)
        },
        // Record checks
        "part11_signature": { p in
            .record(Part11SignatureDetector(
                meanings: try p.strings("meanings", default: ["authorship", "review", "approval", "responsibility"]),
                minSignatures: try p.int("min_signatures", default: 1, in: 1...16)))
        },
        "requirement_trace": { p in
            let attr = try p.string("attribute", default: "requirement_ids") ?? "requirement_ids"
            guard let pat = try p.string("id_pattern") else {
                throw DetectorConfigError(parameter: "id_pattern", "required (e.g. \"SRS-###|REQ-#+\")")
            }
            return .record(RequirementTraceDetector(attribute: attr, pattern: try IdPattern(pat)))
        },
        "human_approval": { p in
            .record(HumanApprovalDetector(minApprovals: try p.int("min_approvals", default: 1, in: 1...16),
                                          roles: try p.strings("roles", default: [])))
        },
    ])
}
