import XCTest
@testable import MeshCompliance

final class PersonNameDetectorTests: XCTestCase {
    let d = PersonNameDetector()

    func testContexts() {
        XCTAssertEqual(found(d, "Seen today: Mrs. Quillan Vandermeer reports pain."), ["Quillan Vandermeer"])
        XCTAssertEqual(found(d, "Dear Ms. Okonkwo-Reyes,"), ["Okonkwo-Reyes"])
        XCTAssertEqual(found(d, "Dear Talia,"), ["Talia"])
        XCTAssertEqual(found(d, "Electronically signed by Brannock Ellery, MD"), ["Brannock Ellery"])
        XCTAssertEqual(found(d, "Sincerely,\nJorvik Tallent\n"), ["Jorvik Tallent"])
        XCTAssertEqual(found(d, "The record of Quillan Vandermeer (MRN 88123456) was merged."), ["Quillan Vandermeer"])
        XCTAssertEqual(found(d, "Quillan Vandermeer, DOB 03/14/1961"), ["Quillan Vandermeer"])
        XCTAssertEqual(found(d, "dropped the address for Quillan Vandermeer, 12 Oak St, Salem."), ["Quillan Vandermeer"])
        // Census first name + Census surname, no context needed.
        XCTAssertEqual(found(d, "escalated to Maria Garcia yesterday"), ["Maria Garcia"])
        XCTAssertEqual(found(d, "Patient O'Brien was discharged"), ["O'Brien"])
        XCTAssertEqual(found(d, "Mr. King is a 54-year-old"), ["King"], "after a title an ordinary word is a name")
        // Where a person lives makes the words before it a person's name.
        XCTAssertEqual(found(d, "SOCIAL HISTORY: Quillan Vandermeer lives in Duluth with a daughter."), ["Quillan Vandermeer"])
        XCTAssertEqual(found(d, "Jorvik Tallent resides at the family farm."), ["Jorvik Tallent"])
        assertNone(d, ["The Normal view lives in Normal mode.", "The config lives in Vault Storage."])
    }

    func testNotNames() {
        assertNone(d, [
            "Release Notes for Apple Silicon", "May 2024 Grant Report", "Will Smith-like heuristics",  // ordinary words
            "the patient was seen", "Patient Portal login", "Dear team,", "Regards,\n\nthe platform team",
            "Kafka Connect and Swift Package Manager", "see Main Street Bank", "June Summer Festival",
        ])
    }
}

final class AddressDetectorTests: XCTestCase {
    func testStreetAddresses() {
        let d = StreetAddressDetector()
        XCTAssertEqual(found(d, "Lives at 1428 Elm Street, Apt 4B near the park."), ["1428 Elm Street, Apt 4B"])
        XCTAssertEqual(found(d, "221B Baker St. London"), ["221B Baker St."])
        XCTAssertEqual(found(d, "ship to 77 N. Harbor View Blvd Suite 200"), ["77 N. Harbor View Blvd Suite 200"])
        XCTAssertEqual(found(d, "PO Box 1234"), ["PO Box 1234"])
        XCTAssertEqual(found(d, "at 5 42nd Street"), ["5 42nd Street"])
        assertNone(d, ["version 2 Street Fighter", "retry 3 times", "listening on 8080 Way too slow", "section 4.2 Main Road",
                       "in 2024 Road Map", "returns 404 Not Found"])
    }

    func testCities() {
        let d = CityDetector()
        XCTAssertEqual(found(d, "12 Oak St, Mount Vernon, NY 10550"), ["Mount Vernon"])
        XCTAssertEqual(found(d, "Address: Springfield, IL 62704"), ["Springfield"])
        assertNone(d, ["our Boston office", "the Boston team"])
    }

    /// `City, ST` without a ZIP code: the gazetteer must list the city in that state.
    func testGazetteerCityBeforeStateCode() {
        let d = CityDetector()
        XCTAssertEqual(found(d, "She grew up in Springfield, IL and works remotely."), ["Springfield"])
        XCTAssertEqual(found(d, "Family in Boston, MA."), ["Boston"])
        // The longest listed name wins: East Orange, not Orange.
        XCTAssertEqual(found(d, "Visited East Orange, NJ twice"), ["East Orange"])
        assertNone(d, ["Thanks, MD", "Regards, CA team", "Springfield, ZZ", "Boise, IL is wrong state", "Hello, NY"])
    }

    /// Residence phrases: a gazetteer city after `lives in`, `moved to`, `born in`…
    func testCitiesInProse() {
        let d = CityDetector()
        XCTAssertEqual(found(d, "The patient lives in Springfield with her daughter."), ["Springfield"])
        XCTAssertEqual(found(d, "He was born in Boise and moved to Battle Creek in 2019."), ["Boise", "Battle Creek"])
        // Reported once when the address grammar also finds it.
        XCTAssertEqual(found(d, "moved to Battle Creek, MI 49017 last year"), ["Battle Creek"])
        // Towns that are also ordinary words, words that are no town, lowercase words.
        assertNone(d, ["lives in Mobile app land", "she lives in Normal mode", "lives in Python", "lives in springfield",
                       "moved to Kubernetes", "born in The Valley"])
    }
}

final class USPlacesTests: XCTestCase {
    func testGazetteerLookups() {
        XCTAssertTrue(USPlaces.isZIPCode(62704))
        XCTAssertTrue(USPlaces.isZIPCode(501))  // 00501, Holtsville NY
        XCTAssertFalse(USPlaces.isZIPCode(0))
        XCTAssertFalse(USPlaces.isZIPCode(99999))
        let b = Array("Battle Creek".utf8)
        XCTAssertTrue(USPlaces.isCity(b, 0, b.count))
        XCTAssertTrue(USPlaces.isCity(b, 0, b.count, state: (0x4D, 0x49)))  // MI
        XCTAssertFalse(USPlaces.isCity(b, 0, b.count, state: (0x41, 0x4B)))  // AK
        let n = Array("Kubernetes".utf8)
        XCTAssertFalse(USPlaces.isCity(n, 0, n.count))
        XCTAssertEqual(USPlaces.restrictedZIP3.count, 17)
    }
}

final class PersonDateTests: XCTestCase {
    let d = DateDetector(personDatesOnly: true)

    func matches(_ text: String, name: String = "a.md", type: String = "text/markdown") -> [String] {
        let t = ScanText(text, name: name, mediaType: type)
        var out: [DetectorMatch] = []
        d.scan(t, into: &out)
        return out.map { t.string($0.start, $0.end) }
    }

    func testPersonContextMakesPHI() {
        XCTAssertEqual(matches("DOB 03/14/1961, admitted March 3, 2024, discharged 05-Mar-2024."), ["03/14/1961", "March 3, 2024", "05-Mar-2024"])
        XCTAssertEqual(matches("Date of service: 2024-02-11"), ["2024-02-11"])
        XCTAssertEqual(matches("she was born on 14 March 1961"), ["14 March 1961"])
    }

    func testSystemDatesAreNot() {
        XCTAssertEqual(matches("Released 2024-05-12. Copyright © 2023-2024. Last updated 2024-06-01 (version 2.1)."), [])
        XCTAssertEqual(matches("2024-05-12T10:22:01Z INFO started\n[2024-05-12 10:22:01] WARN slow\n", name: "a.log", type: "text/x-log"), [])
        XCTAssertEqual(matches("Meeting notes 2024-05-12: we shipped."), [], "no person context in a document about no one")
    }

    func testDocumentAboutAPersonDecidesUnlabelledDates() {
        XCTAssertEqual(matches("Patient: Jane Roe\nFollow-up 2024-07-01.\n"), ["2024-07-01"])
    }

    func testLabelledFieldsDecideFirst() {
        let bundleFindings = shippedBundle.evaluate(ComplianceSubject(taskId: "t", role: "coder", risk: .low, artifacts: [
            Artifact(name: "a.json", mediaType: "application/json",
                     content: #"{"patient": {"dob": "19610314", "name": "Jane Roe"}, "created_at": "2024-05-12"}"#),
        ])).findings.filter { $0.ruleId == "hipaa-date" }
        XCTAssertEqual(bundleFindings.map(\.path), ["$.patient.dob"])
    }
}

final class ContextSecretDetectorTests: XCTestCase {
    func testConnectionURLPasswords() {
        let d = ConnectionURLPasswordDetector()
        XCTAssertEqual(found(d, "postgresql://app:Vq8rT2mX@db:5432/x redis://:S3cr3tPass@cache:6379 mongodb+srv://u:p4ss@c.mongodb.net"),
                       ["Vq8rT2mX", "S3cr3tPass", "p4ss"])
        XCTAssertEqual(found(d, "amqps://guest:Zk29fkq@mq kafka://svc:Q9z8y7x6@broker:9092"), ["Zk29fkq", "Q9z8y7x6"])
        assertNone(d, ["https://example.com/a@b", "postgresql://app@db:5432/x", "mailto:a@b.c", "ssh git@github.com:org/repo"])
    }

    func testWebhooks() {
        let d = WebhookURLDetector()
        let slack = "https://hooks.slack.com/services/T0ABCDEFG/B0ABCDEFGHI/aBcDeFgHiJkLmNoPqRsTuVwX"
        XCTAssertEqual(found(d, "url: \(slack)"), [slack])
        let teams = "https://contoso.webhook.office.com/webhookb2/1a2b3c4d-0000@ffff/IncomingWebhook/abcdef0123456789/xyz"
        XCTAssertEqual(found(d, teams), [teams])
        assertNone(d, ["https://hooks.slack.com/services/", "see https://api.slack.com/messaging/webhooks"])
    }

    func testHeadersAndArguments() {
        let d = HeaderSecretDetector()
        XCTAssertEqual(found(d, "curl -H 'Authorization: Bearer abcDEF123456ghi' -H \"x-api-key: 9f8e7d6c5b4a\""), ["abcDEF123456ghi", "9f8e7d6c5b4a"])
        XCTAssertEqual(found(d, "tool --password=Hx9kq2mZp --token Tk4mQ8sLp0 -- --secret"), ["Hx9kq2mZp", "Tk4mQ8sLp0"])
        XCTAssertEqual(found(d, "  - --api-key=zq81LmNop0\n"), ["zq81LmNop0"])
        assertNone(d, ["Authorization: Bearer $TOKEN", "Authorization: the header", "--password \"$DEPLOY_PASSWORD\"",
                       "--token ${GITHUB_TOKEN}", "x-api-key: short", "--password-file /run/secret"])
    }

    func testEntropy() {
        XCTAssertEqual(SecretValue.entropy(Array("aaaaaaaa".utf8)), 0)
        XCTAssertEqual(SecretValue.entropy(Array("abcdefgh".utf8)), 3, accuracy: 1e-9)
        XCTAssertEqual(SecretValue.longestRun(Array("abXXXXXXc".utf8)), 6)
    }
}
