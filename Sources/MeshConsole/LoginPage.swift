/// The sign-in form. Its CSRF token is a pre-session token set in a cookie and echoed in the
/// form (double submit), since there is no session yet to hold one.
enum LoginPage {
    static func render(csrf: String, message: String? = nil, next: String = "/plans") -> String {
        let notice = message.map { "<p class=\"error\" id=\"login-error\">\(HTML.escape($0))</p>" } ?? ""
        return HTML.page(title: "Sign in", user: nil, csrf: nil, body: """
            \(notice)
            <form method="post" action="/login" id="login">
            <input type="hidden" name="csrf" value="\(HTML.escape(csrf))">
            <input type="hidden" name="next" value="\(HTML.escape(next))">
            <label>User <input name="user" id="user" autocomplete="username" required></label>
            <label>Password <input name="password" id="password" type="password" autocomplete="current-password" required></label>
            <button type="submit" id="sign-in">Sign in</button>
            </form>
            """)
    }
}
