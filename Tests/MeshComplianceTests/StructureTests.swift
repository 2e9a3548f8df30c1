import XCTest
@testable import MeshCompliance

/// `path=value` of every field of `text` read as `name`.
func fieldsOf(_ text: String, name: String = "a.txt", type: String = "text/plain") -> [String] {
    let t = ScanText(text, name: name, mediaType: type)
    return t.structure.fields.map { "\($0.path)=\(t.string($0.start, $0.end))" }
}

/// `path=value` of the fields whose label means `meaning`.
func fieldsMeaning(_ meaning: FieldMeaning, _ text: String, name: String = "a.txt", type: String = "text/plain") -> [String] {
    let t = ScanText(text, name: name, mediaType: type)
    return t.structure.fields.filter { $0.meaning == meaning }.map { "\($0.path)=\(t.string($0.start, $0.end))" }
}

final class FieldLabelTests: XCTestCase {
    func testKeysInEveryCaseStyle() {
        for key in ["mrn", "MRN", "patient_mrn", "medicalRecordNumber", "medical-record-number", "Medical Record No"] {
            XCTAssertEqual(FieldLabel.meaning(of: Array(key.utf8)), .identifier(.mrn), key)
        }
        for key in ["member_id", "memberId", "member-id", "MemberID", "Member ID", "subscriber_id", "policyNumber"] {
            XCTAssertEqual(FieldLabel.meaning(of: Array(key.utf8)), .identifier(.healthPlan), key)
        }
        XCTAssertEqual(FieldLabel.meaning(of: Array("patient_account".utf8)), .identifier(.account))
        XCTAssertEqual(FieldLabel.meaning(of: Array("firstName".utf8)), .identifier(.name))
        XCTAssertEqual(FieldLabel.meaning(of: Array("last_name".utf8)), .identifier(.name))
        XCTAssertEqual(FieldLabel.meaning(of: Array("dateOfBirth".utf8)), .personDate)
        XCTAssertEqual(FieldLabel.meaning(of: Array("admit_date".utf8)), .personDate)
        XCTAssertEqual(FieldLabel.meaning(of: Array("created_at".utf8)), .systemDate)
        XCTAssertEqual(FieldLabel.meaning(of: Array("releaseDate".utf8)), .systemDate)
        XCTAssertEqual(FieldLabel.meaning(of: Array("zip_code".utf8)), .identifier(.zip))
        XCTAssertEqual(FieldLabel.meaning(of: Array("name".utf8)), .ambiguousName)
    }

    func testKeysThatSayNothingIdentifying() {
        for key in ["account_type", "service_account", "license_file", "listen_address", "ip_version", "timeout", "color", "version"] {
            XCTAssertNotEqual(FieldLabel.meaning(of: Array(key.utf8)).map { if case .identifier = $0 { return true }; return false }, true, key)
        }
    }
}

final class KeyValueStructureTests: XCTestCase {
    func testPythonDictLiteralOnOneLine() {
        let fields = fieldsOf("    {'first_name': 'Vinnie', 'last_name': 'Blassingame',\n     'ssn': '287-65-4321', 'dob': '03/04/1961'}\n", name: "a.py")
        XCTAssertEqual(fields, ["first_name=Vinnie", "last_name=Blassingame", "$.ssn=287-65-4321", "dob=03/04/1961"])
    }

    func testYAMLNestingGivesPaths() {
        let yaml = "service:\n  name: intake\npatient:\n  mrn: \"0012345\"\n  contact:\n    phone: 617-234-5678 # mobile\n"
        XCTAssertEqual(fieldsOf(yaml, name: "c.yaml"), ["$.service.name=intake", "$.patient.mrn=0012345", "$.patient.contact.phone=617-234-5678"])
    }

    func testTOMLSectionsArePaths() {
        let toml = "[server]\nport = 8080\n\n[fixtures.patient]\nfirst = \"Jane\"\nmrn = \"0012345\"\n"
        XCTAssertEqual(fieldsOf(toml, name: "a.toml"), ["$.server.port=8080", "$.fixtures.patient.first=Jane", "$.fixtures.patient.mrn=0012345"])
        XCTAssertEqual(fieldsMeaning(.identifier(.name), toml, name: "a.toml"), ["$.fixtures.patient.first=Jane"])
    }

    func testEnvPropertiesLogsCodeAndNotes() {
        XCTAssertEqual(fieldsOf("export DB_PASSWORD=s3cr3t\nmember.id = A1234567\n"), ["$.DB_PASSWORD=s3cr3t", "$.member.id=A1234567"])
        XCTAssertEqual(fieldsOf("2024-01-02T03:04:05Z WARN lookup mrn=88123456 patient=\"Jane Roe\" status=404\n"),
                       ["mrn=88123456", "patient=Jane Roe", "status=404"])
        XCTAssertEqual(fieldsOf("let memberId = \"XJH448812\"; if x == y {}\n", name: "a.swift"), ["memberId=XJH448812"])
        XCTAssertEqual(fieldsOf("**Date of birth:** 03/14/1961\n- Member ID: XJH448812\n", name: "a.md"),
                       ["$.Date of birth=03/14/1961", "$.Member ID=XJH448812"])
        // A comparison is no pair; a query parameter is one (a PHI label in a URL leaks too).
        XCTAssertEqual(fieldsOf("if a == b && c != d { x <= y }\n"), [])
        XCTAssertEqual(fieldsMeaning(.identifier(.mrn), "GET https://ehr.mercy.org/chart?mrn=88123456&tab=2\n"), ["mrn=88123456"])
    }
}

final class StructuredFormatTests: XCTestCase {
    func testJSONPathsAndEnclosingKeys() {
        let json = #"{"patient": {"name": "Jane Roe", "ids": [{"mrn": 88123456}], "first": "Jane"}, "service": {"name": "intake"}}"#
        XCTAssertEqual(fieldsMeaning(.identifier(.name), json, name: "a.json"), ["$.patient.name=Jane Roe", "$.patient.first=Jane"])
        XCTAssertEqual(fieldsMeaning(.identifier(.mrn), json, name: "a.json"), ["$.patient.ids[0].mrn=88123456"])
        XCTAssertEqual(fieldsMeaning(.ambiguousName, json, name: "a.json"), ["$.service.name=intake"])
    }

    func testFHIRElementsAndIdentifierSystems() {
        let patient = """
            {"resourceType": "Patient", "identifier": [
               {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "287-65-4321"},
               {"type": {"coding": [{"code": "MR"}]}, "value": "A-99812"},
               {"system": "urn:example:other", "value": "55512"}],
             "name": [{"family": "Roe", "given": ["Jane"]}], "birthDate": "1961-03-14",
             "telecom": [{"system": "email", "value": "jr@mail.test"}, {"system": "phone", "value": "617-234-5678"}],
             "address": [{"line": ["12 Oak St"], "city": "Ashland", "postalCode": "02139"}],
             "meta": {"lastUpdated": "2024-01-01T00:00:00Z"}}
            """
        let t = ScanText(patient, name: "p.json", mediaType: "application/fhir+json")
        XCTAssertEqual(t.structure.format, .fhir)
        XCTAssertTrue(t.structure.aboutPerson)
        func meaning(_ path: String) -> FieldMeaning? { t.structure.fields.first { $0.path == path }?.meaning }
        XCTAssertEqual(meaning("$.identifier[0].value"), .identifier(.ssn))
        XCTAssertEqual(meaning("$.identifier[1].value"), .identifier(.mrn))
        XCTAssertEqual(meaning("$.identifier[2].value"), .identifier(.otherIdentifier))
        XCTAssertEqual(meaning("$.name[0].family"), .identifier(.name))
        XCTAssertEqual(meaning("$.name[0].given[0]"), .identifier(.name))
        XCTAssertEqual(meaning("$.birthDate"), .personDate)
        XCTAssertEqual(meaning("$.telecom[0].value"), .identifier(.email))
        XCTAssertEqual(meaning("$.telecom[1].value"), .identifier(.phone))
        XCTAssertEqual(meaning("$.address[0].line[0]"), .identifier(.streetAddress))
        XCTAssertEqual(meaning("$.address[0].city"), .identifier(.city))
        XCTAssertEqual(meaning("$.address[0].postalCode"), .identifier(.zip))
        XCTAssertEqual(meaning("$.meta.lastUpdated"), .systemDate)
        XCTAssertEqual(meaning("$.identifier[0].system"), nil)
    }

    func testHL7SegmentFieldComponentPaths() {
        let message = "MSH|^~\\&|APP|FAC|EHR|FAC|202401020304||ADT^A01|MSG1|P|2.5\rPID|1||4455667^^^HOSP^MR~998877^^^X^PI||ROE^JANE^Q||19610314|F|||12 OAK ST^^ASHLAND^MA^02139||(617)234-5678^PRN^PH|||||7788990|287654321\r"
        let t = ScanText(message, name: "m.hl7", mediaType: "text/plain")
        XCTAssertEqual(t.structure.format, .hl7v2)
        XCTAssertEqual(t.structure.errors, [])
        func at(_ path: String) -> (String, FieldMeaning?)? {
            t.structure.fields.first { $0.path == path }.map { (t.string($0.start, $0.end), $0.meaning) }
        }
        XCTAssertEqual(at("MSH-7")?.1, .systemDate)
        XCTAssertEqual(at("MSH-9.1")?.0, "ADT")
        XCTAssertEqual(at("PID-3.1")?.0, "4455667")
        XCTAssertEqual(at("PID-3.1")?.1, .identifier(.mrn))
        XCTAssertEqual(at("PID-3.4")?.1, nil)  // assigning authority
        XCTAssertEqual(at("PID-3[2].1")?.0, "998877")
        XCTAssertEqual(at("PID-5.1")?.0, "ROE")
        XCTAssertEqual(at("PID-5.2")?.1, .identifier(.name))
        XCTAssertEqual(at("PID-7")?.1, .personDate)
        XCTAssertEqual(at("PID-11.1")?.1, .identifier(.streetAddress))
        XCTAssertEqual(at("PID-11.3")?.1, .identifier(.city))
        XCTAssertEqual(at("PID-11.4")?.1, nil)  // the state is not PHI
        XCTAssertEqual(at("PID-11.5")?.1, .identifier(.zip))
        XCTAssertEqual(at("PID-13.1")?.1, .identifier(.phone))
        XCTAssertEqual(at("PID-18")?.1, .identifier(.account))
        XCTAssertEqual(at("PID-19")?.0, "287654321")
    }

    func testCSVHeaderLabelsCells() {
        let csv = "patient_id,\"Family Name\",dob,city\n0012345,\"O'Neil, Jr\",03/14/1961,Ashland\n"
        XCTAssertEqual(fieldsOf(csv, name: "x.csv"), ["$[0].patient_id=0012345", "$[0].Family Name=O'Neil, Jr", "$[0].dob=03/14/1961", "$[0].city=Ashland"])
        XCTAssertEqual(fieldsMeaning(.identifier(.mrn), csv, name: "x.csv"), ["$[0].patient_id=0012345"])
    }

    func testSQLInsertColumnsLabelValues() {
        let sql = "INSERT INTO patients (mrn, last_name, ssn, note) VALUES ('0012345', 'O''Neil', '287-65-4321', NULL), ('77', 'Roe', '1', lower('X'));"
        XCTAssertEqual(fieldsOf(sql, name: "s.sql"), [
            "patients[0].mrn=0012345", "patients[0].last_name=O''Neil", "patients[0].ssn=287-65-4321",
            "patients[1].mrn=77", "patients[1].last_name=Roe", "patients[1].ssn=1", "patients[1].note=lower('X')",
        ])
        XCTAssertEqual(fieldsMeaning(.identifier(.ssn), sql, name: "s.sql"), ["patients[0].ssn=287-65-4321", "patients[1].ssn=1"])
    }
}

/// Truncated and garbled HL7 and FHIR input: no crash, a typed error with a position, and
/// the artifact is still scanned as text.
final class StructureFuzzTests: XCTestCase {
    static let hl7 = "MSH|^~\\&|APP|FAC|EHR|FAC|202401020304||ADT^A01|MSG1|P|2.5\rPID|1||4455667^^^HOSP^MR||ROE^JANE||19610314|F|||||||||||287-65-4321\rPV1|1|I\r"
    static let fhir = #"{"resourceType": "Patient", "name": [{"family": "Roe", "given": ["Jane"]}], "note": "SSN 287-65-4321", "birthDate": "1961-03-14"}"#

    func testEveryTruncationParsesWithoutCrashing() {
        for text in [Self.hl7, Self.fhir] {
            let bytes = Array(text.utf8)
            for cut in 0...bytes.count {
                let t = ScanText(bytes: Array(bytes[0..<cut]), name: text == Self.hl7 ? "m.hl7" : "p.json", mediaType: "text/plain")
                for f in t.structure.fields { XCTAssertTrue(f.start <= f.end && f.end <= cut, "field out of range at cut \(cut)") }
            }
        }
    }

    func testTruncatedFHIRIsATypedErrorAndStillScannedAsText() throws {
        let cut = String(Self.fhir.prefix(110))
        let t = ScanText(cut, name: "p.json", mediaType: "application/fhir+json")
        let error = try XCTUnwrap(t.structure.errors.first)
        XCTAssertEqual(error.format, .json)
        XCTAssertEqual(error.line, 1)
        XCTAssertTrue(error.message.contains("unterminated string") || error.message.contains("open container"), error.description)
        let e = shippedBundle.evaluate(ComplianceSubject(taskId: "t", role: "coder", risk: .low,
                                                         artifacts: [Artifact(name: "p.json", mediaType: "application/fhir+json", content: cut)]))
        XCTAssertTrue(e.findings.contains { $0.ruleId == "hipaa-ssn" }, e.findings.map(\.description).joined(separator: "\n"))
        XCTAssertTrue(e.findings.contains { $0.ruleId == "hipaa-name" && $0.path == "$.name[0].family" })
    }

    func testGarbageHL7IsATypedErrorAndStillScannedAsText() throws {
        let garbage = "MSH\u{0}|\u{7}PID|||SSN 287-65-4321"
        let t = ScanText(garbage, name: "m.hl7", mediaType: "x-application/hl7-v2+er7")
        let error = try XCTUnwrap(t.structure.errors.first)
        XCTAssertEqual(error.format, .hl7v2)
        XCTAssertEqual(error.field, "MSH-2")
        let e = shippedBundle.evaluate(ComplianceSubject(taskId: "t", role: "coder", risk: .low,
                                                         artifacts: [Artifact(name: "m.hl7", mediaType: "x-application/hl7-v2+er7", content: garbage)]))
        XCTAssertEqual(e.findings.map(\.ruleId), ["hipaa-ssn"])
    }

    func testRandomGarbageNeverCrashesAnyParser() {
        var rng = CorpusRandom(seed: 0xF022)
        let alphabet = Array("{}[]\":,|^~\\&\r\n MSHPID0123456789abc'=-#".utf8)
        for k in 0..<400 {
            var bytes = Array((k % 2 == 0 ? Self.hl7 : Self.fhir).utf8)
            for _ in 0..<Int(rng.next() % 12) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            }
            for name in ["m.hl7", "p.json", "x.csv", "s.sql", "c.yaml"] {
                let t = ScanText(bytes: bytes, name: name, mediaType: "text/plain")
                XCTAssertTrue(t.structure.fields.allSatisfy { $0.start <= $0.end && $0.end <= bytes.count })
            }
        }
    }
}
