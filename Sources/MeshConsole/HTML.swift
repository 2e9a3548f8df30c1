/// Server-rendered HTML: every value from the mesh or a person goes through `escape`, so an
/// artifact holding `<script>` is shown as text, never run.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// The page frame: navigation, the person signed in and a sign-out form with its CSRF token.
    /// The content security policy (sent as a header) allows only this origin's scripts.
    static func page(title: String, user: ConsoleUser?, csrf: String?, body: String) -> String {
        var navigation = ""
        if let user, let csrf {
            navigation = """
                <nav><a href="/plans">Plans</a> · <a href="/approvals">Approvals</a> · <a href="/agents">Agents</a> · <a href="/deadletters">Dead letters</a> · <a href="/compliance">Compliance</a> · <a href="/audit">Audit</a>
                <span class="who">\(escape(user.printedName)) (\(escape(user.role.rawValue)))</span>
                <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="\(escape(csrf))">
                <button type="submit" id="sign-out">Sign out</button></form></nav>
                """
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) · AgentMesh console</title>
            <link rel="stylesheet" href="/static/console.css"></head>
            <body>\(navigation)<main><h1>\(escape(title))</h1>
            \(body)
            </main></body></html>
            """
    }

    static func table(_ header: [String], _ rows: [[String]], id: String = "") -> String {
        let head = header.map { "<th>\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table\(id.isEmpty ? "" : " id=\"\(id)\"")><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table>"
    }
}
