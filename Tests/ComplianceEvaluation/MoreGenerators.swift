/// Generators written after the detectors were tuned, kept as a check that the detectors
/// generalise beyond the templates they were developed against: their phrasing and formats
/// (TOML, Java properties, JavaScript, support tickets, e-mail threads) appear nowhere else.
extension Generators {
    static let later: [Generator] = [
        Generator(name: "social-history", make: socialHistory),
        Generator(name: "toml-config", make: tomlConfig),
        Generator(name: "java-properties", make: javaProperties),
        Generator(name: "javascript-fixture", make: javascriptFixture),
        Generator(name: "support-ticket", make: supportTicket),
        Generator(name: "email-thread", make: emailThread),
        Generator(name: "fhir-ages", make: fhirAges),
    ]

    static func tomlConfig(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("[server]")
        d.line("host = \"\(rng.pick(Array(LookAlikes.privateIPs.prefix(4))))\"")
        d.line("port = \(rng.int(1024...9999))")
        d.line("updated = \(LookAlikes.systemDate(&rng))")
        d.line()
        if positive {
            d.line("[fixtures.patient]")
            d.add("given_name = \""); d.add(p.first, "name"); d.add("\"\n")
            d.add("family_name = \""); d.add(p.last, "name"); d.add("\"\n")
            d.add("social_security_number = \""); d.add(p.ssn, "ssn"); d.add("\"\n")
            d.add("date_of_birth = "); d.add(p.dobISO, "dob"); d.add("\n")
            d.add("medical_record_number = \""); d.add(p.mrn, "mrn"); d.add("\"\n")
        } else {
            d.line("[fixtures.patient]")
            d.line("given_name = \"<given>\"")
            d.line("family_name = \"<family>\"")
            d.line("date_of_birth = \"1900-01-01\"  # year only is kept; day and month are placeholders")
        }
        d.line("[notify]")
        d.line("to = \"\(rng.pick(LookAlikes.workforceEmails))\"")
        return d.document("config/app-\(k).toml", "application/toml", generator: "toml-config")
    }

    static func javaProperties(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("# application.properties, generated \(LookAlikes.systemDate(&rng))")
        d.line("server.port=\(rng.int(1024...9999))")
        d.line("spring.datasource.url=jdbc:postgresql://\(rng.pick(Array(LookAlikes.privateIPs.prefix(3)))):5432/app")
        if positive {
            if rng.chance(50) {
                d.add("spring.datasource.password="); d.add(SyntheticSecrets.password(&rng), "secret"); d.add("\n")
            } else {
                d.add("test.patient.phoneNumber="); d.add(p.phoneDashed, "phone"); d.add("\n")
                d.add("test.patient.email="); d.add(p.email, "email"); d.add("\n")
            }
        } else {
            d.line("spring.datasource.password=${DB_PASSWORD}")
            d.line("support.phone=\(rng.pick(LookAlikes.fictionalPhones))")
        }
        d.line("logging.level.root=INFO")
        return d.document("src/main/resources/application-\(k).properties", "text/x-properties", generator: "java-properties")
    }

    static func javascriptFixture(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("// fixtures for the intake form (\(rng.pick(LookAlikes.reservedURLs)))")
        d.line("export const endpoint = 'http://\(rng.pick(Array(LookAlikes.privateIPs.prefix(4)))):3000';")
        if positive {
            d.add("export const patient = {\n  fullName: '"); d.add(p.fullName, "name"); d.add("',\n")
            d.add("  birthDate: '"); d.add(p.dobUS, "dob"); d.add("',\n")
            d.add("  cellPhone: '"); d.add(p.phoneParens, "phone"); d.add("',\n")
            d.add("  memberNumber: '"); d.add(p.memberID, "health_plan"); d.add("',\n};\n")
        } else {
            d.line("export const patient = { fullName: '', birthDate: null, cellPhone: '\(rng.pick(LookAlikes.fictionalPhones))' };")
            d.line("export const releasedAt = '\(LookAlikes.systemDate(&rng))';")
        }
        return d.document("web/fixtures/patient-\(k).js", "text/javascript", generator: "javascript-fixture")
    }

    static func supportTicket(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("Ticket INC-\(rng.int(10000...99999))  Priority: P\(rng.int(1...4))  Opened: \(LookAlikes.systemDate(&rng))")
        d.line("Component: scheduling   Assignee: platform on-call")
        d.line()
        if positive {
            d.add("Caller reports that the appointment for patient "); d.add(p.fullName, "name"); d.add(" (date of birth ")
            d.add(p.dobUS, "dob"); d.add(") shows twice. Reach her at "); d.add(p.phoneDashed, "phone"); d.add(".\n")
            d.add("Chart: MRN "); d.add(p.mrn, "mrn"); d.add("\n")
        } else {
            d.line("Caller reports that an appointment shows twice in the week view after a reschedule.")
            d.line("Reproduced on staging (\(rng.pick(LookAlikes.reservedURLs))) with the synthetic patient record.")
        }
        d.line("Workaround: refresh the calendar. Escalate via \(LookAlikes.supportLine).")
        return d.document("tickets/INC-\(k).txt", "text/plain", generator: "support-ticket")
    }

    static func emailThread(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("From: \(rng.pick(LookAlikes.workforceEmails))")
        d.line("Date: \(LookAlikes.systemDate(&rng))")
        d.line("Subject: intake export question")
        d.line()
        if positive {
            d.line("Hi team,")
            d.line()
            d.add("The export dropped the address for "); d.add(p.fullName, "name"); d.add(", "); d.add(p.streetLine, "street_address")
            d.add(", "); d.add(p.city, "city"); d.add(", \(p.state) "); d.add(p.zip, "zip"); d.add(". Her email on file is ")
            d.add(p.email, "email"); d.add(".\n")
        } else {
            d.line("Hi team,")
            d.line()
            d.line("The export dropped the address column for one record; the fix is in review. Our office at")
            d.line("\(LookAlikes.organisationAddress) has the printed copy.")
        }
        d.line()
        d.line("Thanks,")
        d.line("Platform on-call")
        return d.document("mail/thread-\(k).eml", "message/rfc822", generator: "email-thread")
    }

    /// Places a person lives in, written in prose (Safe Harbor (B) without any address):
    /// chosen by hand, not from the detectors' gazetteer, with multi-word names and names
    /// shared by many states. The clean twin uses the same phrases with things that are not
    /// places, and towns' names that are ordinary words (`Normal`, `Mobile`), as words.
    static let proseCities = ["Battle Creek", "Cedar Rapids", "Grand Junction", "Council Bluffs", "Sioux Falls", "Eau Claire",
                              "Bowling Green", "Twin Falls", "Rock Springs", "Saint Cloud", "Bay City", "Fort Collins",
                              "Tulsa", "Spokane", "Duluth", "Macon", "Yakima", "Albany"]

    static func socialHistory(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let p = SyntheticPerson(&rng)
        d.line("Case management note  \(LookAlikes.systemDate(&rng))")
        d.line()
        if positive {
            let home = rng.pick(proseCities), before = rng.pick(proseCities), birth = rng.pick(SyntheticPerson.cities)
            d.add("SOCIAL HISTORY: "); d.add(p.fullName, "name"); d.add(" lives in "); d.add(home, "city")
            d.add(" with a daughter. \(rng.pick(["She", "The patient"])) moved to "); d.add(before, "city")
            d.add(", \(rng.pick(SyntheticPerson.states)) in \(rng.int(1990...2020)) and was born in "); d.add(birth, "city"); d.add(".\n")
        } else {
            d.line("SOCIAL HISTORY: not obtained; see intake. The scheduling service moved to \(rng.pick(["Kubernetes", "Postgres 16", "the new cluster"])) in \(rng.int(2019...2024)).")
            d.line("The \(rng.pick(["Normal", "Mobile"])) view lives in \(rng.pick(["Normal", "Mobile"])) mode; the kiosk app was born in a hackathon.")
        }
        d.line("Follow-up in two weeks.")
        return d.document("notes/social-\(k).txt", "text/x-clinical-note", generator: "social-history")
    }

    /// A FHIR Bundle of clinical resources. Positive documents hold an age over 89 as an
    /// `Age` element (`onsetAge`, `deceasedAge`, an extension's `valueAge`) or as an age
    /// Observation's `valueQuantity`; every document holds ages of 89 or less, an age of 90 or
    /// more in days or months, and a body weight of 90 or more kilograms.
    static func fhirAges(_ rng: inout EvaluationRandom, _ k: Int, _ positive: Bool) -> EvaluationDocument {
        var d = DocumentBuilder()
        let ucum = LookAlikes.systemURIs[5]
        let entries = [
            "{\"resource\": {\"resourceType\": \"Condition\", \"id\": \"cond-\(rng.int(100...999))\", \"subject\": {\"reference\": \"Patient/p\(rng.int(10...99))\"},\n"
                + "    \"code\": {\"coding\": [{\"system\": \"\(LookAlikes.systemURIs[1])\", \"code\": \"\(rng.pick(["38341003", "44054006", "13645005"]))\"}]},\n"
                + "    \"onsetAge\": {\"value\": \(rng.int(18...89)), \"unit\": \"years\", \"system\": \"\(ucum)\", \"code\": \"a\"}}}",
            "{\"resource\": {\"resourceType\": \"Condition\", \"id\": \"cond-\(rng.int(100...999))\",\n"
                + "    \"onsetAge\": {\"value\": \(rng.int(90...130)), \"unit\": \"\(rng.pick(["days", "d"]))\", \"system\": \"\(ucum)\", \"code\": \"\(rng.pick(["d", "mo", "wk"]))\"}}}",
            "{\"resource\": {\"resourceType\": \"Observation\", \"status\": \"final\",\n"
                + "    \"code\": {\"coding\": [{\"system\": \"\(LookAlikes.systemURIs[0])\", \"code\": \"29463-7\", \"display\": \"Body weight\"}]},\n"
                + "    \"valueQuantity\": {\"value\": \(rng.int(90...160)).\(rng.int(0...9)), \"unit\": \"kg\", \"system\": \"\(ucum)\", \"code\": \"kg\"}}}",
        ]
        d.line("{\"resourceType\": \"Bundle\", \"type\": \"collection\", \"entry\": [")
        for e in entries { d.line("  " + e + ",") }
        if positive {
            let age = String(rng.int(90...104))
            switch (k / 2) % 4 {
            case 0:
                d.add("  {\"resource\": {\"resourceType\": \"Condition\", \"onsetAge\": {\"value\": "); d.add(age, "age")
                d.line(", \"unit\": \"years\", \"system\": \"\(ucum)\", \"code\": \"a\"}}},")
            case 1:
                d.line("  {\"resource\": {\"resourceType\": \"Observation\", \"status\": \"final\",")
                d.add("    \"valueQuantity\": {\"value\": "); d.add(age, "age"); d.line(", \"unit\": \"\(rng.pick(["a", "yr"]))\", \"system\": \"\(ucum)\"},")
                d.line("    \"code\": {\"coding\": [{\"system\": \"\(LookAlikes.systemURIs[0])\", \"code\": \"\(rng.pick(["30525-0", "21612-7"]))\"}], \"text\": \"Age\"}}},")
            case 2:
                d.add("  {\"resource\": {\"resourceType\": \"FamilyMemberHistory\", \"status\": \"completed\", \"relationship\": {\"text\": \"mother\"}, \"deceasedAge\": {\"value\": ")
                d.add(age, "age"); d.line(", \"unit\": \"yr\", \"code\": \"a\"}}},")
            default:
                d.add("  {\"resource\": {\"resourceType\": \"Encounter\", \"extension\": [{\"url\": \"http://example.org/fhir/age-at-encounter\", \"valueAge\": {\"value\": ")
                d.add(age, "age"); d.line("}}]}},")
            }
        }
        d.line("  {\"resource\": {\"resourceType\": \"Observation\", \"status\": \"final\", \"valueQuantity\": {\"value\": \(rng.int(20...89)), \"unit\": \"a\"},")
        d.line("    \"code\": {\"coding\": [{\"system\": \"\(LookAlikes.systemURIs[0])\", \"code\": \"30525-0\"}]}}}")
        d.line("]}")
        return d.document("fhir/bundle-ages-\(k).json", "application/fhir+json", generator: "fhir-ages")
    }
}
