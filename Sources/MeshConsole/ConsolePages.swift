import Foundation
import Hummingbird
import MeshWire

/// The server-rendered pages and forms. Every form posts its CSRF token; a page asked for
/// without a valid session (none, tampered, or idle past the timeout) sends the person to sign in.
struct ConsolePages: Sendable {
    let services: ConsoleServices
    static let loginCSRFCookie = "mesh_login_csrf"

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in Responses.redirect("/plans") }
        router.get("/static/plans.js") { _, _ in Responses.text(PlansPage.script, contentType: "text/javascript") }
        router.get("/static/console.css") { _, _ in Responses.text(PlansPage.stylesheet, contentType: "text/css") }
        router.get("/login") { request, _ in try loginForm(next: request.uri.queryParameters.get("next") ?? "/plans") }
        router.post("/login") { request, _ in try await login(request) }
        router.post("/logout") { request, _ in try await logout(request) }
        router.get("/plans") { request, _ in
            try await page(request) { caller in
                PlansPage.render(await services.feed.current().planSummaries, user: caller.user, csrf: caller.session.csrf)
            }
        }
        router.get("/plans/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await page(request) { caller in
                let snapshot = await services.feed.current()
                guard let plan = snapshot.plan(id) else { return nil }
                return PlanPage.render(snapshot, plan: plan, trace: services.trace(id), user: caller.user, csrf: caller.session.csrf)
            }
        }
        router.get("/approvals") { request, _ in
            try await page(request) { caller in
                ApprovalsPage.render(await services.feed.current().approvals, user: caller.user, csrf: caller.session.csrf)
            }
        }
        router.get("/approvals/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await page(request) { caller in
                let snapshot = await services.feed.current()
                guard let found = try? snapshot.approvals.lookup(id) else { return nil }
                return ApprovalPage.render(snapshot, request: found.request, envelope: found.envelope, user: caller.user,
                                           csrf: caller.session.csrf, now: WallClock.nowUnixMicros())
            }
        }
        router.post("/approvals/:id/sign") { request, context in try await sign(request, id: try context.parameters.require("id")) }
        router.get("/events/plans") { request, _ in events(request) }
    }

    private func loginForm(next: String, message: String? = nil, status: HTTPResponse.Status = .ok) throws -> Response {
        let token = try SessionSealer.newCSRFToken()
        return Responses.html(LoginPage.render(csrf: token, message: message, next: Self.localPath(next)), status: status,
                              cookies: [services.authenticator.cookie(Self.loginCSRFCookie, token, maxAge: 1800)])
    }

    /// Only paths on this console, so `next` cannot send a person elsewhere after sign-in.
    static func localPath(_ next: String) -> String {
        next.hasPrefix("/") && !next.hasPrefix("//") ? next : "/plans"
    }

    private func login(_ request: Request) async throws -> Response {
        var request = request
        let form = FormBody(String(buffer: try await request.collectBody(upTo: 16384)))
        guard let token = form["csrf"], !token.isEmpty, token == request.cookies[Self.loginCSRFCookie]?.value else {
            return Responses.html(HTML.page(title: "Forbidden", user: nil, csrf: nil,
                                            body: "<p class=\"error\">The form's CSRF token is missing or wrong; reload the sign-in page.</p>"),
                                  status: .forbidden)
        }
        let name = form["user"] ?? "", password = form["password"] ?? "", now = ConsoleServices.now
        if case .locked(let until) = services.throttle.check(name, now: now) {
            try await services.record(.signInRefused, person: name, reason: "locked until \(until)")
            return try loginForm(next: form["next"] ?? "/plans", message: "Too many failed attempts: this account is locked for now.",
                                 status: .tooManyRequests)
        }
        // An unknown name costs the same scrypt derivation as a known one, so timing does not tell which names exist.
        let known = services.users.user(name)
        let matches = try (known?.password ?? services.unknownUserHash).verify(password) && known != nil
        guard let user = known, matches else {
            let verdict = services.throttle.failed(name, now: now)
            let locked = verdict != .allowed
            try await services.record(.signInRefused, person: name, reason: locked ? "wrong password; account locked" : "wrong user or password")
            return try loginForm(next: form["next"] ?? "/plans",
                                 message: locked ? "Too many failed attempts: this account is locked for now." : "Wrong user or password.",
                                 status: locked ? .tooManyRequests : .unauthorized)
        }
        services.throttle.succeeded(name)
        try await services.record(.signIn, person: name, reason: "signed in as \(user.role.rawValue)")
        let session = ConsoleSession(user: name, lastSeen: now, csrf: try SessionSealer.newCSRFToken())
        return Responses.redirect(Self.localPath(form["next"] ?? "/plans"), cookies: [
            services.authenticator.cookie(SessionSealer.cookieName, services.authenticator.sealer.seal(session)),
            services.authenticator.expired(Self.loginCSRFCookie),
        ])
    }

    private func logout(_ request: Request) async throws -> Response {
        var request = request
        let form = FormBody(String(buffer: try await request.collectBody(upTo: 16384)))
        guard let caller = services.authenticator.caller(request, now: ConsoleServices.now) else { return Responses.redirect("/login") }
        guard form["csrf"] == caller.session.csrf else { return csrfRefused() }
        try await services.record(.signOut, person: caller.user.name, reason: "signed out")
        return Responses.redirect("/login", cookies: [services.authenticator.expired(SessionSealer.cookieName)])
    }

    private func sign(_ request: Request, id: String) async throws -> Response {
        var request = request
        let form = FormBody(String(buffer: try await request.collectBody(upTo: 16384)))
        guard let caller = services.authenticator.caller(request, now: ConsoleServices.now) else {
            return Responses.redirect("/login?next=/approvals/\(id)")
        }
        guard form["csrf"] == caller.session.csrf else { return csrfRefused() }
        let decision: Decision = form["decision"] == "reject" ? .reject : .approve
        do {
            _ = try await services.signing.sign(
                SigningRequest(approvalID: id, decision: decision, meaning: form["meaning"] ?? "", reason: form["reason"] ?? "",
                               password: form["password"] ?? ""), as: caller.user)
            try await services.feed.refresh()
            return Responses.redirect("/approvals/\(id)", cookies: [caller.renewedCookie])
        } catch let refusal as SigningRefusal {
            let snapshot = await services.feed.current()
            let status = ConsoleError(refusal).status
            guard let found = try? snapshot.approvals.lookup(id) else {
                return Responses.html(HTML.page(title: "Not signed", user: caller.user, csrf: caller.session.csrf,
                                                body: "<p class=\"error\" id=\"sign-error\">\(HTML.escape(refusal.description))</p>"),
                                      status: status, cookies: [caller.renewedCookie])
            }
            return Responses.html(ApprovalPage.render(snapshot, request: found.request, envelope: found.envelope, user: caller.user,
                                                      csrf: caller.session.csrf, message: refusal.description, now: WallClock.nowUnixMicros()),
                                  status: status, cookies: [caller.renewedCookie])
        }
    }

    func csrfRefused() -> Response {
        Responses.html(HTML.page(title: "Forbidden", user: nil, csrf: nil,
                                 body: "<p class=\"error\">The form's CSRF token is missing or wrong; nothing was done.</p>"),
                       status: .forbidden)
    }

    /// A page for a signed-in person; nil content means 404.
    func page(_ request: Request, _ render: (ConsoleAuthenticator.Caller) async throws -> String?) async throws -> Response {
        guard let caller = services.authenticator.caller(request, now: ConsoleServices.now) else {
            return Responses.redirect("/login?next=\(request.uri.path)")
        }
        guard let html = try await render(caller) else {
            return Responses.html(HTML.page(title: "Not found", user: caller.user, csrf: caller.session.csrf, body: "<p>No such item.</p>"),
                                  status: .notFound, cookies: [caller.renewedCookie])
        }
        return Responses.html(html, cookies: [caller.renewedCookie])
    }

    /// Server-sent events: `plans` with the whole list, then `changed` with the plans that
    /// changed since the last one.
    private func events(_ request: Request) -> Response {
        guard services.authenticator.caller(request, now: ConsoleServices.now) != nil else {
            return Responses.error(ConsoleError(.unauthenticated, "sign in first"))
        }
        let feed = services.feed
        return Response(status: .ok, headers: Responses.headers("text/event-stream", cookies: []), body: ResponseBody { writer in
            for await event in await feed.changes() {
                try await writer.write(ByteBuffer(bytes: event.frame))
            }
            try await writer.finish(nil)
        })
    }
}
