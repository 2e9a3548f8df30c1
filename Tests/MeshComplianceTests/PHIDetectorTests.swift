import XCTest
@testable import MeshCompliance

final class SSNDetectorTests: XCTestCase {
    let d = SSNDetector()

    func testFindsValidSSNsWithPositions() {
        let text = "Patient SSN: 287-65-4321\nalt  219 09 9990 and 536.22.1234\nssn 536221234"
        XCTAssertEqual(spots(d, text), ["1:14:287-65-4321", "2:6:219 09 9990", "2:22:536.22.1234", "3:5:536221234"])
    }

    func testMasksAllButLastFour() {
        XCTAssertEqual(masks(d, "SSN 287-65-4321"), ["***-**-4321"])
    }

    func testRejectsInvalidAreasGroupsSerialsAndKnownNumbers() {
        assertNone(d, [
            "000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456",  // area
            "123-00-4567",  // group
            "123-45-0000",  // serial
            "078-05-1120",  // Woolworth advertising SSN
            "219-09-9999", "123-45-6789", "111-11-1111",
            "123-45 6789",  // mixed separators
            "536221234",  // unlabelled 9 digits
            "1287-65-4321", "287-65-43210", "x287-65-4321", "287-65-4321-1", "1-287-65-4321",  // longer runs
        ])
    }

    func testUnseparatedRequiresLabelOnSameLine() {
        XCTAssertEqual(found(d, "social security number 536221234"), ["536221234"])
        XCTAssertEqual(found(d, "ssn\n536221234"), [])
        XCTAssertEqual(found(SSNDetector(labelledUnseparated: false), "SSN 536221234"), [])
    }
}

final class PhoneDetectorTests: XCTestCase {
    let phone = PhoneDetector(mode: .phone)
    let fax = PhoneDetector(mode: .fax)

    func testPhoneShapes() {
        let text = """
        Call (415) 555-2671 or 415-555-2671.
        Also 415.555.2671, +1 415 555 2671, 1-415-555-2671
        Phone: 4155552671
        """
        XCTAssertEqual(spots(phone, text), [
            "1:6:(415) 555-2671", "1:24:415-555-2671",
            "2:6:415.555.2671", "2:20:+1 415 555 2671", "2:37:1-415-555-2671",
            "3:8:4155552671",
        ])
        XCTAssertEqual(masks(phone, "415-555-2671"), ["(***) ***-2671"])
    }

    func testFaxOnlyWhenLabelled() {
        let text = "Tel 415-555-2671, Fax: 415-555-2672"
        XCTAssertEqual(found(phone, text), ["415-555-2671"])
        XCTAssertEqual(spots(fax, text), ["1:24:415-555-2672"])
        XCTAssertEqual(found(PhoneDetector(mode: .any), text).count, 2)
    }

    func testNearMisses() {
        assertNone(phone, [
            "015-555-2671",  // area starts with 0
            "115-555-2671",  // area starts with 1
            "415-055-2671",  // exchange starts with 0
            "415-155-2671",  // exchange starts with 1
            "911-555-2671",  // N11 area code
            "415-555.2671",  // mixed separators
            "4155552671",  // unlabelled contiguous digits
            "415-555-26711", "1415-555-2671x", "v2.415-555-2671".replacingOccurrences(of: "v2.", with: "2-"),
            "2024-05-12", "123-45-6789",
        ])
    }
}

final class EmailDetectorTests: XCTestCase {
    let d = EmailDetector()

    func testFindsAddresses() {
        let text = "Contact jane.doe+er@mercy-hospital.org.\n<bob_99@clinic.co.uk>"
        XCTAssertEqual(spots(d, text), ["1:9:jane.doe+er@mercy-hospital.org", "2:2:bob_99@clinic.co.uk"])
        XCTAssertEqual(masks(d, "jane.doe@mercy.org"), ["j***@***.org"])
    }

    /// The masking keeps the first character and the last non-empty domain label, whether the
    /// value is ASCII (computed on bytes) or not (on Characters).
    func testMaskEmail() {
        let cases = [("jane.doe@mercy.org", "j***@***.org"), ("a@b.", "a***@***.b"), ("@example.com", "***@***.com"),
                     ("x@y", "x***@***.y"), ("a@b..c..", "a***@***.c"), ("a@..", "a***@***."), ("nobody", "******"),
                     ("é@x.org", "é***@***.org"), ("\r\n@x.org", "\r\n***@***.org")]
        for (value, masked) in cases { XCTAssertEqual(Mask.email(value), masked, value) }
    }

    func testNearMisses() {
        assertNone(d, ["@handle", "user@localhost", "a@b.c", "name@host.123", "@Sendable func", "x@.com", "foo @ bar.com"])
    }
}

final class LabelledIdentifierDetectorTests: XCTestCase {
    let mrn = LabelledIdentifierDetector(labels: ["MRN", "medical record"], kind: "medical record number")
    let acct = LabelledIdentifierDetector(labels: ["account", "acct"], kind: "account number")

    func testLabelledValues() {
        let text = "MRN: 12345678\nMedical Record Number #A-99812\nmrn=00771234"
        XCTAssertEqual(spots(mrn, text), ["1:6:12345678", "2:24:A-99812", "3:5:00771234"])
        XCTAssertEqual(spots(acct, "Acct # 99-0012-33\nAccount No. 55512345"), ["1:8:99-0012-33", "2:13:55512345"])
        XCTAssertEqual(masks(mrn, "MRN 12345678"), ["******78"])
    }

    func testNearMisses() {
        assertNone(mrn, ["MRN: pending", "MRN 123", "mrnx 12345678", "the MRN field", "MRN\n12345678", "12345678"])
        assertNone(acct, ["accounting 12345678", "Account: n/a", "account balance 12"])
    }
}

final class DateDetectorTests: XCTestCase {
    let d = DateDetector()

    func testNumericDates() {
        let text = "DOB 03/14/1961, admitted 2024-05-12; seen 3-7-24\ndischarged 14.03.2024"
        XCTAssertEqual(spots(d, text), ["1:5:03/14/1961", "1:26:2024-05-12", "1:43:3-7-24", "2:12:14.03.2024"])
        XCTAssertEqual(masks(d, "03/14/1961"), ["**/**/****"])
    }

    func testMonthNameDates() {
        let text = "Born Jan 5, 1961. Died 5 January 2020; seen March 2020 and Sept. 3rd\nMay 2019"
        XCTAssertEqual(found(d, text), ["Jan 5, 1961", "5 January 2020", "March 2020", "Sept. 3rd", "May 2019"])
    }

    func testNearMisses() {
        assertNone(d, [
            "in 2020", "fiscal year 2021 report",  // bare years are allowed
            "13/45/2020", "2024-13-01", "2024-02-32",  // invalid month/day
            "version 1.2.3", "v1.2.2024".replacingOccurrences(of: "v", with: "x."),  // versions
            "you may 5 times", "march forward", "Jan", "3/4",  // words and fractions
            "ratio 12/5/7",
        ])
    }
}

final class AgeDetectorTests: XCTestCase {
    let d = AgeOver89Detector()

    func testAgesOverEightyNine() {
        let text = "A 93-year-old woman; age 101\nAged: 90, 95 y/o, 92 years old"
        XCTAssertEqual(spots(d, text), ["1:3:93", "1:26:101", "2:7:90", "2:11:95", "2:19:92"])
        XCTAssertEqual(masks(d, "age 93"), ["age ≥90"])
    }

    func testNearMisses() {
        assertNone(d, ["89-year-old", "age 45", "90 patients", "room 95", "age 90.5".replacingOccurrences(of: "age ", with: ""), "99 problems", "age 200"])
    }

    /// Keys in JSON, YAML, code and logs: quoted, with a quoted value, or ending a longer key.
    func testAgesUnderKeys() {
        let text = """
        {"age": 95, "name": "x"}
        'age': '91'
        patient_age: 93
        PATIENT-AGE=104
        """
        XCTAssertEqual(spots(d, text), ["1:9:95", "2:9:91", "3:14:93", "4:13:104"])
        assertNone(d, ["{\"age\": 89}", "\"page\": 95", "usage: 95", "\"age_group\": 95", "{\"stage\": 92}"])
    }

    /// The `age_over_89` rule's detector over a JSON artifact: (value, path) of its matches.
    func ageFields(_ json: String) -> [String] {
        let t = ScanText(json, name: "r.json", mediaType: "application/fhir+json")
        var m: [DetectorMatch] = []
        FieldAwareDetector(.age, inner: AgeOver89Detector()).scan(t, into: &m)
        return m.map { "\(t.string($0.start, $0.end))@\(t.structure.field(containing: $0.start, $0.end)?.path ?? "-") \($0.masked)" }
    }

    /// FHIR `Age` elements in years and age Observations' `valueQuantity` (``AgeElements``).
    func testFHIRAgeElements() {
        XCTAssertEqual(ageFields(#"{"resourceType": "Condition", "onsetAge": {"value": 93, "unit": "years", "system": "http://unitsofmeasure.org", "code": "a"}}"#),
                       ["93@$.onsetAge.value age ≥90"])
        XCTAssertEqual(ageFields(#"{"age": {"value": 93, "unit": "a"}}"#), ["93@$.age.value age ≥90"])
        XCTAssertEqual(ageFields(#"{"resourceType": "Encounter", "extension": [{"url": "u", "valueAge": {"value": 101}}]}"#),
                       ["101@$.extension[0].valueAge.value age ≥90"])
        XCTAssertEqual(ageFields(#"{"resourceType": "FamilyMemberHistory", "deceasedAge": {"value": 97.5, "unit": "yr"}}"#),
                       ["97@$.deceasedAge.value age ≥90"])
        // The code may come before or after the quantity, and in a component.
        XCTAssertEqual(ageFields(#"{"resourceType": "Observation", "valueQuantity": {"value": 95, "unit": "a"}, "code": {"coding": [{"system": "http://loinc.org", "code": "30525-0"}]}}"#),
                       ["95@$.valueQuantity.value age ≥90"])
        XCTAssertEqual(ageFields(#"{"resourceType": "Observation", "component": [{"code": {"text": "Age at diagnosis"}, "valueQuantity": {"value": 91, "code": "a"}}]}"#),
                       ["91@$.component[0].valueQuantity.value age ≥90"])
    }

    /// Ages of 89 or less, ages in days or months, and quantities that are not ages.
    func testFHIRAgeNearMisses() {
        for json in [
            #"{"resourceType": "Condition", "onsetAge": {"value": 89, "unit": "years", "code": "a"}}"#,
            #"{"resourceType": "Condition", "onsetAge": {"value": 93, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}}"#,
            #"{"onsetAge": {"value": 95, "unit": "months"}}"#,
            #"{"resourceType": "Observation", "code": {"coding": [{"system": "http://loinc.org", "code": "29463-7"}]}, "valueQuantity": {"value": 93, "unit": "kg", "code": "kg"}}"#,
            #"{"resourceType": "Observation", "code": {"coding": [{"system": "http://loinc.org", "code": "30525-0"}]}, "valueQuantity": {"value": 93, "unit": "mo", "code": "mo"}}"#,
            #"{"resourceType": "Observation", "valueQuantity": {"value": 93, "unit": "a"}}"#,
            #"{"stage": {"value": 95}, "usage": {"value": 92}}"#,
            #"{"age": {"value": 200, "unit": "a"}}"#,
        ] {
            XCTAssertEqual(ageFields(json), [], json)
        }
    }

    /// Through the shipped pack: the finding names the Safe Harbor class and the field.
    func testTheShippedPackRejectsAFHIRAgeOver89() {
        let json = #"{"resourceType": "Condition", "onsetAge": {"value": 94, "unit": "years", "code": "a"}}"#
        let e = shippedBundle.evaluate(ComplianceSubject(taskId: "t", role: "coder", risk: .medium,
                                                         artifacts: [Artifact(name: "c.json", mediaType: "application/fhir+json", content: json)]))
        XCTAssertEqual(e.findings.map(\.ruleId), ["hipaa-age-over-89"])
        XCTAssertEqual(e.findings.first?.identifierClass, .age)
        XCTAssertEqual(e.findings.first?.path, "$.onsetAge.value")
        XCTAssertNotEqual(e.decision, .approve)
    }
}

final class ZipCodeDetectorTests: XCTestCase {
    let d = ZipCodeDetector()

    func testLabelledAndAddressContext() {
        let text = "Springfield, IL 62704\nZIP code: 02139-4307\n1 Main St, Boston MA, 02114"
        XCTAssertEqual(spots(d, text), ["1:17:62704", "2:11:02139-4307", "3:23:02114"])
        XCTAssertEqual(masks(d, "zip 62704"), ["*****"])
    }

    /// A three-digit prefix alone is PHI only in the 17 restricted areas (Policies/README.md).
    func testRestrictedZIP3() {
        let text = "zip3: 036\nZIP prefix 102 for the cohort\nlives in 890xx\nbilling zip 893**"
        XCTAssertEqual(spots(d, text), ["1:7:036", "2:12:102", "3:10:890xx", "4:13:893**"])
        assertNone(d, ["zip3: 100", "ZIP prefix 606", "021xx", "036", "room 036", "zip3: 0361", "036-12"])
    }

    func testNearMisses() {
        assertNone(d, ["port 62704", "62704", "order 12345-6789", "XX 62704", "IL 627045", "zip 1234", "Il 62704"])
    }

    /// After a gazetteer city with no state, a number counts only when it is a ZIP code that
    /// exists; with a label or a state code, existence is not asked.
    func testAfterACityOnlyAnExistingZIPCode() {
        XCTAssertEqual(spots(d, "Holtsville 00501\nmail to 12 Oak St, Battle Creek, 49017 today"), ["1:12:00501", "2:34:49017"])
        assertNone(d, ["Springfield 99999", "Holtsville 00000", "Build 49017", "Mobile 36602", "Springfield\n62704", "springfield 62704"])
        XCTAssertEqual(found(d, "Springfield, IL 99999\nzip: 99999"), ["99999", "99999"])
    }
}
