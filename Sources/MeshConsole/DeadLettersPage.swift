import MeshOps

/// Dead letters: the list with a redrive form (operators and admins), and one letter inspected.
enum DeadLettersPage {
    static func render(_ letters: [APIModels.DeadLetterInfo], user: ConsoleUser, csrf: String, message: String? = nil) -> String {
        let mayRedrive = user.role.mayOperate
        var body = message.map { "<p class=\"ok\" id=\"redrive-result\">\(HTML.escape($0))</p>" } ?? ""
        let rows = letters.map { letter -> [String] in
            (mayRedrive ? ["<input type=\"checkbox\" name=\"id\" value=\"\(HTML.escape(letter.id))\" id=\"pick-\(HTML.escape(letter.id))\">"] : [])
                + ["<a href=\"/deadletters/\(HTML.escape(letter.id))\">\(HTML.escape(letter.id))</a>", HTML.escape(letter.reason),
                   HTML.escape(letter.source), HTML.escape(letter.type), HTML.escape(letter.role), HTML.escape(letter.time),
                   HTML.escape(letter.detail)]
        }
        let table = HTML.table((mayRedrive ? ["Pick"] : []) + ["Id", "Reason", "From", "Type", "Rejected by", "Time", "Detail"], rows, id: "deadletters")
        if mayRedrive {
            body += """
                <form method="post" action="/deadletters/redrive" id="redrive">
                <input type="hidden" name="csrf" value="\(HTML.escape(csrf))">
                \(table)
                <label>Reason (kept in the audit trail) <input name="reason" id="redrive-reason" required></label>
                <button type="submit" id="redrive-button">Redrive the picked letters</button>
                </form>
                """
        } else {
            body += table + "<p>Your role (\(HTML.escape(user.role.rawValue))) may not redrive dead letters.</p>"
        }
        return HTML.page(title: "Dead letters", user: user, csrf: csrf, body: body)
    }

    static func inspect(_ letter: APIModels.DeadLetterDetail, user: ConsoleUser, csrf: String) -> String {
        var body = "<table class=\"manifest\" id=\"letter\">"
            + letter.fields.sorted { $0.key < $1.key }.map { "<tr><th>\(HTML.escape($0.key))</th><td>\(HTML.escape($0.value))</td></tr>" }.joined()
            + "</table>"
        body += "<h2>Headers</h2>" + HTML.table(["Key", "Value"], letter.headers.map { [HTML.escape($0.key), HTML.escape($0.value)] })
        body += "<h2>Payload</h2><p>\(letter.valueBytes) bytes</p>"
            + (letter.payload.map { "<p id=\"letter-payload\">\(HTML.escape($0))</p>" } ?? "<p>Not a decodable envelope.</p>")
        return HTML.page(title: "Dead letter \(letter.id)", user: user, csrf: csrf, body: body)
    }
}
