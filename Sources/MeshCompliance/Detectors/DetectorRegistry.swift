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

    /// The built-in detectors.
    public static let standard = DetectorRegistry([
        // HIPAA Safe Harbor identifiers
        "us_ssn": { p in .text(SSNDetector(labelledUnseparated: try p.bool("labelled_unseparated", default: true))) },
        "us_phone": { _ in .text(PhoneDetector(mode: .phone)) },
        "us_fax": { _ in .text(PhoneDetector(mode: .fax)) },
        "email": { _ in .text(EmailDetector()) },
        "labelled_identifier": { p in
            let labels = try p.strings("labels", default: [])
            guard !labels.isEmpty else { throw DetectorConfigError(parameter: "labels", "at least one label is required") }
            let kind = try p.string("kind", default: "identifier") ?? "identifier"
            return .text(LabelledIdentifierDetector(labels: labels, kind: kind, minDigits: try p.int("min_digits", default: 4, in: 1...64)))
        },
        "date": { _ in .text(DateDetector()) },
        "age_over_89": { _ in .text(AgeOver89Detector()) },
        "us_zip": { _ in .text(ZipCodeDetector()) },
        "ipv4": { _ in .text(IPv4Detector()) },
        "ipv6": { _ in .text(IPv6Detector()) },
        "url": { _ in .text(URLDetector()) },
        "us_npi": { _ in .text(NPIDetector()) },
        "us_dea": { _ in .text(DEADetector()) },
        "vin": { _ in .text(VINDetector()) },
        // Secrets
        "aws_access_key_id": { _ in .text(PrefixedTokenDetector.awsAccessKeyId) },
        "aws_secret_access_key": { p in
            let keys = try p.strings("keys", default: ["aws_secret_access_key", "aws_secret_key", "secret_access_key", "awssecretaccesskey", "aws_secret"])
            return .text(AssignmentSecretDetector(keys: keys, kind: "AWS secret access key", minLength: 40, minDistinct: 10, placeholders: [], valueLength: 40))
        },
        "private_key": { p in .text(PrivateKeyDetector(requireBody: try p.bool("require_body", default: true))) },
        "github_token": { _ in .text(PrefixedTokenDetector.github) },
        "slack_token": { _ in .text(PrefixedTokenDetector.slack) },
        "google_api_key": { _ in .text(PrefixedTokenDetector.googleAPIKey) },
        "jwt": { _ in .text(JWTDetector()) },
        "secret_assignment": { p in
            let keys = try p.strings("keys", default: ["password", "passwd", "pwd", "secret", "api_key", "apikey", "access_token", "auth_token", "client_secret"])
            let placeholders = try p.strings("placeholders", default: AssignmentSecretDetector.defaultPlaceholders)
            return .text(AssignmentSecretDetector(
                keys: keys, kind: "hard-coded secret", minLength: try p.int("min_length", default: 8, in: 1...512),
                minDistinct: try p.int("min_distinct", default: 5, in: 1...64), placeholders: placeholders))
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
