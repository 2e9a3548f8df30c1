/// The document generators. Each writes its own kind of file in its own phrasing; positive
/// documents plant identifiers (labelled), every document carries look-alikes.
struct Generator: Sendable {
    var name: String
    var make: @Sendable (inout EvaluationRandom, Int, Bool) -> EvaluationDocument
}

enum Generators {
    static let all: [Generator] = [
        Generator(name: "swift-fixture", make: swiftFixture),
        Generator(name: "python-seed", make: pythonSeed),
        Generator(name: "yaml-config", make: yamlConfig),
        Generator(name: "env-file", make: envFile),
        Generator(name: "json-payload", make: jsonPayload),
        Generator(name: "sql-seed", make: sqlSeed),
        Generator(name: "app-log", make: appLog),
        Generator(name: "markdown-doc", make: markdownDoc),
        Generator(name: "clinical-note", make: clinicalNote),
        Generator(name: "fhir-resource", make: fhirResource),
        Generator(name: "hl7-message", make: hl7Message),
        Generator(name: "csv-export", make: csvExport),
        Generator(name: "shell-script", make: shellScript),
    ]

    // MARK: code

    static func swiftFixture(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("import XCTest")
        d.line("@testable import Intake")
        d.line()
        d.line("// Fixture for IntakeTests; API docs: \(rng.pick(LookAlikes.reservedURLs))")
        d.line("final class IntakeTests\(k): XCTestCase {")
        d.line("    let endpoint = URL(string: \"http://\(rng.pick(Array(LookAlikes.privateIPs.prefix(4)))):8080/api\")!")
        d.line("    let requestID = \"\(uuid(&rng))\"")
        d.line("    let timeout: TimeInterval = \(rng.int(5...60)).5")
        if positive {
            d.add("    let patient = Patient(\n        name: \""); d.add(p.fullName, "name"); d.add("\",\n")
            d.add("        mrn: \""); d.add(p.mrn, "mrn"); d.add("\",\n")
            d.add("        dateOfBirth: \""); d.add(p.dobISO, "dob"); d.add("\",\n")
            if rng.chance(60) { d.add("        phone: \""); d.add(p.phoneDashed, "phone"); d.add("\",\n") }
            if rng.chance(60) { d.add("        memberId: \""); d.add(p.memberID, "health_plan"); d.add("\",\n") }
            d.add("        email: \""); d.add(p.email, "email"); d.add("\")\n")
        } else {
            d.line("    let patient = Patient(name: \"<redacted>\", mrn: \"MRN-TEST\", dateOfBirth: nil, email: \"\(rng.pick(LookAlikes.reservedEmails))\")")
            d.line("    let practitioner = Identifier(system: \"\(LookAlikes.systemURIs[2])\", value: \"\(LookAlikes.sampleNPI)\")")
        }
        d.line("    let releasedOn = \"\(LookAlikes.systemDate(&rng))\"  // build \(rng.int(100...999))")
        d.line("    let color = 0x\(SyntheticSecrets.random(&rng, 6, Array("0123456789ABCDEF")))")
        d.line("}")
        return d.document("Tests/IntakeTests\(k).swift", "text/x-swift", generator: "swift-fixture")
    }

    static func pythonSeed(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("\"\"\"Seed data for the scheduling service (generated \(LookAlikes.systemDate(&rng))).\"\"\"")
        d.line("import os")
        d.line("DB_URL = os.environ.get('DATABASE_URL', 'postgresql://app:${DB_PASSWORD}@db.internal.test:5432/sched')")
        d.line("SUPPORT = '\(LookAlikes.supportLine)'  # vendor support line")
        if positive {
            d.add("PATIENTS = [\n    {'first_name': '"); d.add(p.first, "name"); d.add("', 'last_name': '"); d.add(p.last, "name")
            d.add("',\n     'ssn': '"); d.add(p.ssn, "ssn"); d.add("', 'dob': '"); d.add(p.dobUS, "dob"); d.add("',\n")
            d.add("     'address': '"); d.add(p.streetLine, "street_address"); d.add("', 'city': '"); d.add(p.city, "city")
            d.add("', 'zip': '"); d.add(p.zip, "zip"); d.add("'},\n]\n")
            if rng.chance(50) { d.add("API_KEY = '"); d.add(SyntheticSecrets.bearer(&rng), "secret"); d.add("'\n") }
        } else {
            d.line("PATIENTS = []  # loaded from the de-identified extract")
            d.line("API_KEY = os.environ['API_KEY']  # e.g. '\(rng.pick(LookAlikes.placeholderSecrets))'")
            d.line("CONTACT = '\(rng.pick(LookAlikes.fictionalPhones))'")
        }
        d.line("RETRIES, PORT = \(rng.int(1...5)), \(rng.int(1024...9999))")
        return d.document("seed/seed_\(k).py", "text/x-python", generator: "python-seed")
    }

    static func shellScript(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        d.line("#!/usr/bin/env bash")
        d.line("set -euo pipefail")
        d.line("# Deploy helper, last updated \(LookAlikes.systemDate(&rng))")
        d.line("HOST=\(rng.pick(Array(LookAlikes.privateIPs.prefix(5))))")
        if positive {
            switch rng.int(0...3) {
            case 0:
                d.add("curl -fsS -H 'Authorization: Bearer "); d.add(SyntheticSecrets.bearer(&rng), "secret"); d.add("' https://api.partner-cloud.io/v2/jobs\n")
            case 1:
                d.add("psql \"postgresql://deploy:"); d.add(SyntheticSecrets.password(&rng), "secret"); d.add("@db-prod.partner-cloud.io:5432/app\"\n")
            case 2:
                d.add("mesh-admin login --user deploy --password "); d.add(SyntheticSecrets.password(&rng), "secret"); d.add("\n")
            default:
                d.add("curl -X POST -d @payload.json "); d.add(SyntheticSecrets.slackWebhook(&rng), "secret"); d.add("\n")
            }
        } else {
            d.line("curl -fsS -H \"Authorization: Bearer ${API_TOKEN}\" https://api.example.com/v2/jobs")
            d.line("mesh-admin login --user deploy --password \"$DEPLOY_PASSWORD\"")
            d.line("export SLACK_TOKEN=\(rng.pick(["xoxb-your-bot-token", "xoxb-XXXXXXXXXXXX-XXXXXXXXXXXX"]))")
        }
        d.line("echo \"done in $SECONDS s\"")
        return d.document("scripts/deploy_\(k).sh", "text/x-source", generator: "shell-script")
    }

    // MARK: config

    static func yamlConfig(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("service:")
        d.line("  name: intake-api")
        d.line("  listen: \(rng.pick(Array(LookAlikes.privateIPs.prefix(3)))):\(rng.int(3000...9000))")
        d.line("  created_at: \(LookAlikes.systemDate(&rng))T\(pad(rng.int(0...23), 2)):00:00Z")
        d.line("  docs: \(rng.pick(LookAlikes.reservedURLs))")
        d.line("  terminology: \(rng.pick(LookAlikes.systemURIs))")
        if positive {
            d.line("test_patient:")
            d.add("  memberId: \""); d.add(p.memberID, "health_plan"); d.add("\"\n")
            d.add("  name: "); d.add(p.fullName, "name"); d.add("\n")
            d.add("  birth_date: "); d.add(p.dobISO, "dob"); d.add("\n")
            d.add("  home-phone: "); d.add(p.phoneParens, "phone"); d.add("\n")
            if rng.chance(50) { d.add("  patient_account: "); d.add(p.account, "account"); d.add("\n") }
        } else {
            d.line("owner:")
            d.line("  team: platform")
            d.line("  email: \(rng.pick(LookAlikes.workforceEmails))")
            d.line("  pager: \(rng.pick(LookAlikes.fictionalPhones))")
        }
        d.line("secrets:")
        d.line("  api_key: \(rng.pick(["\"${INTAKE_API_KEY}\"", "<your-api-key>", "changeme"]))")
        return d.document("config/intake-\(k).yaml", "application/yaml", generator: "yaml-config")
    }

    static func envFile(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        d.line("# local development settings")
        d.line("APP_ENV=development")
        d.line("BIND_ADDR=\(rng.pick(Array(LookAlikes.privateIPs.prefix(4))))")
        d.line("PUBLIC_URL=\(rng.pick(LookAlikes.reservedURLs))")
        if positive {
            switch rng.int(0...4) {
            case 0: d.add("AWS_ACCESS_KEY_ID="); d.add(SyntheticSecrets.awsKeyID(&rng), "secret"); d.add("\n")
            case 1: d.add("GITHUB_TOKEN="); d.add(SyntheticSecrets.githubToken(&rng), "secret"); d.add("\n")
            case 2: d.add("DATABASE_URL=postgresql://app:"); d.add(SyntheticSecrets.password(&rng), "secret"); d.add("@db.partner-cloud.io:5432/app\n")
            case 3: d.add("SLACK_BOT_TOKEN="); d.add(SyntheticSecrets.slackBot(&rng), "secret"); d.add("\n")
            default: d.add("GH_FINE_GRAINED="); d.add(SyntheticSecrets.githubFineGrained(&rng), "secret"); d.add("\n")
            }
            if rng.chance(40) { d.add("REDIS_URL=redis://:"); d.add(SyntheticSecrets.password(&rng), "secret"); d.add("@cache.partner-cloud.io:6379/0\n") }
        } else {
            d.line("AWS_ACCESS_KEY_ID=\(rng.pick(["AKIAXXXXXXXXXXXXXXXX", "AKIAIOSFODNN7EXAMPLE"]))")
            d.line("GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")
            d.line("DATABASE_URL=postgresql://app:${DB_PASSWORD}@localhost:5432/app")
            d.line("SLACK_BOT_TOKEN=xoxb-your-bot-token")
            d.line("JWT_SAMPLE=\(LookAlikes.placeholderSecrets.last!)")
        }
        d.line("LOG_LEVEL=info")
        return d.document("env/.env.\(k)", "text/x-env", generator: "env-file")
    }

    static func jsonPayload(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("{")
        d.line("  \"requestId\": \"\(uuid(&rng))\",")
        d.line("  \"createdAt\": \"\(LookAlikes.systemDate(&rng))T10:15:00Z\",")
        d.line("  \"callbackUrl\": \"\(rng.pick(LookAlikes.reservedURLs))\",")
        if positive {
            d.line("  \"patient\": {")
            d.add("    \"mrn\": "); d.add(p.mrn, "mrn"); d.add(",\n")
            d.add("    \"firstName\": \""); d.add(p.first, "name"); d.add("\",\n")
            d.add("    \"lastName\": \""); d.add(p.last, "name"); d.add("\",\n")
            d.add("    \"dob\": \""); d.add(p.dobISO, "dob"); d.add("\",\n")
            d.add("    \"member_id\": \""); d.add(p.memberID, "health_plan"); d.add("\",\n")
            d.add("    \"contact\": {\"email\": \""); d.add(p.email, "email"); d.add("\", \"mobile\": \""); d.add(p.phoneDashed, "phone"); d.add("\"}\n")
            d.line("  },")
        } else {
            d.line("  \"provider\": {\"npi\": \"\(LookAlikes.sampleNPI)\", \"taxonomySystem\": \"http://nucc.org/provider-taxonomy\"},")
            d.line("  \"notify\": \"\(rng.pick(LookAlikes.workforceEmails))\",")
        }
        d.line("  \"version\": \"\(rng.int(1...4)).\(rng.int(0...20)).\(rng.int(0...9))\"")
        d.line("}")
        return d.document("payloads/request-\(k).json", "application/json", generator: "json-payload")
    }

    static func sqlSeed(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        d.line("-- migration \(rng.int(100...999)): seed reference data (\(LookAlikes.systemDate(&rng)))")
        d.line("INSERT INTO feature_flags (name, enabled, created_at) VALUES ('new-intake', true, '\(LookAlikes.systemDate(&rng))');")
        if positive {
            d.add("INSERT INTO patients (mrn, last_name, first_name, birth_date, ssn, phone)\nVALUES\n")
            for row in 0..<rng.int(1...3) {
                let p = SyntheticPerson(&rng)
                d.add(row == 0 ? "  (" : ",\n  (")
                d.add("'"); d.add(p.mrn, "mrn"); d.add("', '"); d.add(p.last, "name"); d.add("', '"); d.add(p.first, "name")
                d.add("', '"); d.add(p.dobISO, "dob"); d.add("', '"); d.add(p.ssn, "ssn"); d.add("', '"); d.add(p.phoneDashed, "phone"); d.add("')")
            }
            d.add(";\n")
        } else {
            d.line("INSERT INTO clinics (code, address, phone) VALUES ('HQ', '\(LookAlikes.organisationAddress)', '\(LookAlikes.fictionalPhones[0])');")
            d.line("INSERT INTO code_systems (uri, label) VALUES ('\(rng.pick(LookAlikes.systemURIs))', 'standard');")
        }
        return d.document("db/seed_\(k).sql", "application/sql", generator: "sql-seed")
    }

    // MARK: logs and documents

    static func appLog(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let day = LookAlikes.systemDate(&rng)
        func stamp(_ rng: inout EvaluationRandom) -> String { "\(day)T\(pad(rng.int(0...23), 2)):\(pad(rng.int(0...59), 2)):\(pad(rng.int(0...59), 2)).\(rng.digits(3))Z" }
        for _ in 0..<rng.int(2...5) {
            d.line("\(stamp(&rng)) INFO  http request_id=\(uuid(&rng)) method=GET path=/health status=200 duration_ms=\(rng.int(1...900)) client=\(rng.pick(Array(LookAlikes.privateIPs.prefix(5))))")
        }
        if positive {
            let p = SyntheticPerson(&rng)
            d.add("\(stamp(&rng)) WARN  intake lookup failed mrn="); d.add(p.mrn, "mrn"); d.add(" patient=\""); d.add(p.fullName, "name"); d.add("\"")
            if rng.chance(50) { d.add(" dob="); d.add(p.dobISO, "dob") }
            d.add("\n")
            if rng.chance(50) { d.add("\(stamp(&rng)) DEBUG notify email="); d.add(p.email, "email"); d.add(" phone="); d.add(p.phoneDigits, "phone"); d.add("\n") }
        } else {
            d.line("\(stamp(&rng)) WARN  intake lookup failed mrn=<redacted> patient=<redacted> retry=\(rng.int(1...3))")
            d.line("\(stamp(&rng)) INFO  mail sent to=\(rng.pick(LookAlikes.workforceEmails)) template=daily-digest")
        }
        d.line("\(stamp(&rng)) INFO  shutdown complete uptime_s=\(rng.int(100...99999))")
        return d.document("logs/intake-\(k).log", "text/x-log", generator: "app-log")
    }

    static func markdownDoc(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("# Intake service \(rng.int(1...3)).\(rng.int(0...9))")
        d.line()
        d.line("Released \(LookAlikes.systemDate(&rng)). Copyright © \(rng.int(2019...2026)) Northwind Health.")
        d.line()
        d.line("Send questions to \(rng.pick(LookAlikes.workforceEmails)) or call \(LookAlikes.supportLine). Our office: \(LookAlikes.organisationAddress), Boston.")
        d.line("The API lives at \(rng.pick(LookAlikes.reservedURLs)); codes come from \(rng.pick(LookAlikes.systemURIs)).")
        d.line()
        if positive {
            d.line("## Reproducing ticket \(rng.int(1000...9999))")
            d.line()
            d.add("The failing record belonged to "); d.add(p.fullName, "name"); d.add(" (MRN "); d.add(p.mrn, "mrn"); d.add("), born ")
            d.add(p.dobLong, "dob"); d.add(".\n")
            if rng.chance(60) { d.add("Callback number: "); d.add(p.phoneParens, "phone"); d.add(".\n") }
            if rng.chance(50) { d.add("Mailing address on file: "); d.add(p.streetLine, "street_address"); d.add(", "); d.add(p.city, "city"); d.add(", \(p.state) "); d.add(p.zip, "zip"); d.add(".\n") }
        } else {
            d.line("## Changelog")
            d.line()
            d.line("- \(LookAlikes.systemDate(&rng)): retries now back off exponentially (see build \(rng.int(1000...9999))).")
            d.line("- The sample NPI \(LookAlikes.sampleNPI) is used in tests; phone fixtures use \(rng.pick(LookAlikes.fictionalPhones)).")
            d.line("- Test e-mails go to \(rng.pick(LookAlikes.reservedEmails)).")
        }
        return d.document("docs/intake-\(k).md", "text/markdown", generator: "markdown-doc")
    }

    static func clinicalNote(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("DISCHARGE SUMMARY")
        d.line()
        if positive {
            let title = rng.pick(["Mr.", "Mrs.", "Ms."])
            d.add("Patient: "); d.add(p.fullName, "name"); d.add("\n")
            d.add("DOB: "); d.add(p.dob(&rng), "dob"); d.add("    MRN: "); d.add(p.mrn, "mrn"); d.add("\n")
            d.add("Admitted: "); d.add("\(rng.int(2021...2025))-\(pad(rng.int(1...12), 2))-\(pad(rng.int(1...28), 2))", "date"); d.add("\n\n")
            d.add("\(title) "); d.add(p.last, "name"); d.add(" is a \(rng.int(25...85))-year-old who presented with chest pain. ")
            d.add("Home phone "); d.add(p.phoneDashed, "phone"); d.add(". Lives at "); d.add(p.streetLine, "street_address"); d.add(".\n")
            if rng.chance(50) { d.add("Insurance member ID "); d.add(p.memberID, "health_plan"); d.add(".\n") }
        } else {
            d.line("Patient: [REDACTED]")
            d.line("DOB: [REDACTED]    MRN: [REDACTED]")
            d.line()
            d.line("The patient is a \(rng.int(25...85))-year-old who presented with chest pain on hospital day \(rng.int(1...5)).")
            d.line("Troponin trended down; LOINC \(rng.int(10000...99999))-\(rng.int(0...9)) per \(LookAlikes.systemURIs[0]).")
        }
        d.line("Follow up in \(rng.int(1...6)) weeks. Clinic line \(LookAlikes.supportLine).")
        return d.document("notes/discharge-\(k).note", "text/x-clinical-note", generator: "clinical-note")
    }

    // MARK: healthcare formats

    static func fhirResource(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        if positive {
            d.line("{")
            d.line("  \"resourceType\": \"Patient\",")
            d.line("  \"id\": \"pat-\(rng.int(100...999))\",")
            d.line("  \"meta\": {\"lastUpdated\": \"\(LookAlikes.systemDate(&rng))T08:00:00Z\", \"profile\": [\"\(LookAlikes.systemURIs.last!)\"]},")
            d.add("  \"identifier\": [{\"type\": {\"coding\": [{\"system\": \"\(LookAlikes.systemURIs[3])\", \"code\": \"MR\"}]}, \"system\": \"urn:oid:1.2.36.146.595.217.0.1\", \"value\": \"")
            d.add(p.mrn, "mrn"); d.add("\"},\n")
            d.add("                 {\"system\": \"http://hl7.org/fhir/sid/us-ssn\", \"value\": \""); d.add(p.ssn, "ssn"); d.add("\"}],\n")
            d.add("  \"name\": [{\"use\": \"official\", \"family\": \""); d.add(p.last, "name"); d.add("\", \"given\": [\""); d.add(p.first, "name"); d.add("\"]}],\n")
            d.add("  \"telecom\": [{\"system\": \"phone\", \"value\": \""); d.add(p.phoneParens, "phone"); d.add("\", \"use\": \"home\"},\n")
            d.add("              {\"system\": \"email\", \"value\": \""); d.add(p.email, "email"); d.add("\"}],\n")
            d.add("  \"birthDate\": \""); d.add(p.dobISO, "dob"); d.add("\",\n")
            d.add("  \"address\": [{\"line\": [\""); d.add(p.streetLine, "street_address"); d.add("\"], \"city\": \""); d.add(p.city, "city")
            d.add("\", \"state\": \"\(p.state)\", \"postalCode\": \""); d.add(p.zip, "zip"); d.add("\"}]\n")
            d.line("}")
        } else {
            d.line("{")
            d.line("  \"resourceType\": \"CodeSystem\",")
            d.line("  \"id\": \"intake-reasons\",")
            d.line("  \"url\": \"http://hl7.org/fhir/CodeSystem/intake-reasons-\(k)\",")
            d.line("  \"date\": \"\(LookAlikes.systemDate(&rng))\",")
            d.line("  \"publisher\": \"Northwind Health\",")
            d.line("  \"contact\": [{\"telecom\": [{\"system\": \"email\", \"value\": \"\(rng.pick(LookAlikes.workforceEmails))\"}]}],")
            d.line("  \"concept\": [{\"code\": \"\(rng.int(100...999))\", \"display\": \"Chest pain\"}, {\"code\": \"\(rng.int(100...999))\", \"display\": \"Follow-up\"}]")
            d.line("}")
        }
        return d.document("fhir/resource-\(k).json", "application/fhir+json", generator: "fhir-resource")
    }

    static func hl7Message(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        let stamp = "\(rng.int(2021...2025))\(pad(rng.int(1...12), 2))\(pad(rng.int(1...28), 2))\(pad(rng.int(0...23), 2))\(pad(rng.int(0...59), 2))"
        d.add("MSH|^~\\&|INTAKE|NORTHWIND|EHR|NORTHWIND|\(stamp)||\(positive ? "ADT^A01" : "ACK^A01")|MSG\(rng.digits(8))|P|2.5.1\r")
        if positive {
            d.add("EVN|A01|\(stamp)\r")
            d.add("PID|1||"); d.add(p.mrn, "mrn"); d.add("^^^NORTHWIND^MR||"); d.add(p.last.uppercased(), "name"); d.add("^"); d.add(p.first.uppercased(), "name")
            d.add("^\(p.middleInitial)||"); d.add(p.dobHL7, "dob"); d.add("|\(rng.pick(["F", "M"]))|||"); d.add("\(p.streetNumber) \(p.street.uppercased())", "street_address")
            d.add("^^"); d.add(p.city.uppercased(), "city"); d.add("^\(p.state)^"); d.add(p.zip, "zip"); d.add("||"); d.add("(\(p.phoneArea))\(p.phoneExchange)-\(pad(p.phoneLine, 4))", "phone"); d.add("^PRN^PH")
            d.add("|||||"); d.add(p.account, "account"); d.add("|"); d.add(p.ssn.replacingDashes(), "ssn"); d.add("\r")
            d.add("PV1|1|I|4W^412^1||||\(rng.digits(6))^ATTENDING^ALEX|||MED||||||||||\(rng.digits(7))\r")
        } else {
            d.add("MSA|AA|MSG\(rng.digits(8))|Message accepted\r")
        }
        return d.document("hl7/message-\(k).hl7", "x-application/hl7-v2+er7", generator: "hl7-message")
    }

    static func csvExport(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        if positive {
            d.line("patient_id,family_name,given_name,date_of_birth,zip_code,email")
            for _ in 0..<rng.int(1...4) {
                let p = SyntheticPerson(&rng)
                d.add(p.mrn, "mrn"); d.add(","); d.add(p.last, "name"); d.add(","); d.add(p.first, "name"); d.add(",")
                d.add(p.dobUS, "dob"); d.add(","); d.add(p.zip, "zip"); d.add(","); d.add(p.email, "email"); d.add("\n")
            }
        } else {
            d.line("date,service,host,p50_ms,p99_ms,errors")
            for _ in 0..<rng.int(2...6) {
                d.line("\(LookAlikes.systemDate(&rng)),intake,\(rng.pick(Array(LookAlikes.privateIPs.prefix(5)))),\(rng.int(1...90)),\(rng.int(100...900)),\(rng.int(0...12))")
            }
        }
        return d.document("exports/export-\(k).csv", "text/csv", generator: "csv-export")
    }

    static func uuid(_ rng: inout EvaluationRandom) -> String {
        let hex = Array("0123456789abcdef")
        return [8, 4, 4, 4, 12].map { SyntheticSecrets.random(&rng, $0, hex) }.joined(separator: "-")
    }
}

extension String {
    func replacingDashes() -> String { String(filter { $0 != "-" }) }
}
