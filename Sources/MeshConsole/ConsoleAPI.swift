import Foundation
import HTTPTypes
import Hummingbird
import MeshWire

/// The JSON API under /api, for scripts and the pages' live parts. The same session cookie
/// signs a browser in; writes also need the session's CSRF token in `X-CSRF-Token`. Machine
/// clients send `Authorization: Bearer <token>` instead (see `APITokensFile`): no cookie is
/// involved, and a browser never adds that header by itself, so no CSRF token is needed.
/// Every error is a typed `ConsoleError` body.
struct ConsoleAPI: Sendable {
    let services: ConsoleServices

    func add(to router: Router<BasicRequestContext>) {
        router.get("/api/openapi.json") { _, _ in Responses.text(OpenAPIDocument.json, contentType: "application/json") }
        router.get("/api/session") { request, _ in
            try await authorised(request) { caller in
                Responses.json(["user": caller.user.name, "role": caller.user.role.rawValue, "csrf": caller.session.csrf])
            }
        }
        router.get("/api/plans") { request, _ in
            try await authorised(request) { _ in Responses.encodedJSON(await services.feed.plansJSONData()) }
        }
        router.get("/api/plans/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await authorised(request) { _ in
                guard let detail = APIModels.detail(await services.feed.current(), id) else {
                    return Responses.error(ConsoleError(.notFound, "no plan \(id) on mesh.objectives or mesh.plans"))
                }
                return Responses.json(detail)
            }
        }
        router.get("/api/approvals") { request, _ in
            try await authorised(request) { _ in Responses.json(APIModels.approvals(await services.feed.current().approvals)) }
        }
        router.post("/api/objectives") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return try await authorised(request, write: true) { caller in
                guard caller.user.role.maySubmit else {
                    return Responses.error(ConsoleError(.forbidden, "your role (\(caller.user.role.rawValue)) may not submit objectives; nothing was published"))
                }
                guard let parsed = try? JSONDecoder().decode(APIModels.ObjectiveRequest.self, from: Data(buffer: body)),
                      !parsed.title.trimmingCharacters(in: .whitespaces).isEmpty, !parsed.playbook.isEmpty else {
                    return Responses.error(ConsoleError(.badRequest, "the body must be JSON {title, playbook, description?} with a title and a playbook"))
                }
                let id = try await services.objectives.submit(
                    title: parsed.title, description: parsed.description ?? "", playbook: parsed.playbook, by: caller.user.name)
                return Responses.json(APIModels.ObjectiveResponse(correlationID: id), status: .created)
            }
        }
        router.post("/api/approvals/:id/decision") { request, context in
            let id = try context.parameters.require("id")
            var request = request
            let body = try await request.collectBody(upTo: 65536)
            return try await authorised(request, write: true) { caller in
                let parsed: APIModels.DecisionRequest
                do {
                    parsed = try JSONDecoder().decode(APIModels.DecisionRequest.self, from: Data(buffer: body))
                } catch {
                    return Responses.error(ConsoleError(.badRequest, "the body must be JSON {decision, meaning, reason?, password}: \(error)"))
                }
                let decision: Decision
                switch parsed.decision {
                case "approve": decision = .approve
                case "reject": decision = .reject
                default: return Responses.error(ConsoleError(.badRequest, "decision must be \"approve\" or \"reject\", not \"\(parsed.decision)\""))
                }
                do {
                    let envelope = try await services.signing.sign(
                        SigningRequest(approvalID: id, decision: decision, meaning: parsed.meaning, reason: parsed.reason ?? "",
                                       password: parsed.password), as: caller.user)
                    try await services.feed.refresh()
                    return Responses.json(APIModels.DecisionResponse(approvalID: id, envelopeID: envelope.id), status: .created)
                } catch let refusal as SigningRefusal {
                    return Responses.error(ConsoleError(refusal))
                }
            }
        }
    }

    func authorised(_ request: Request, write: Bool = false,
                            _ respond: (ConsoleAuthenticator.Caller) async throws -> Response) async throws -> Response {
        if let authorization = request.headers[.authorization] {
            return try await bearer(authorization, respond)
        }
        guard let caller = services.authenticator.caller(request, now: ConsoleServices.now) else {
            return Responses.error(ConsoleError(.unauthenticated, "no valid session: sign in at /login (sessions end after idle time)"))
        }
        if write, request.headers[HTTPField.Name("X-CSRF-Token")!] != caller.session.csrf {
            return Responses.error(ConsoleError(.csrf, "send the session's CSRF token in X-CSRF-Token; nothing was done"))
        }
        var response = try await respond(caller)
        response.headers.append(HTTPField(name: .setCookie, value: caller.renewedCookie))
        return response
    }

    /// A machine client's request: the token's role, never a session; a refused token is recorded
    /// (at most 10 a minute per replica, the rest counted in the next record).
    private func bearer(_ authorization: String, _ respond: (ConsoleAuthenticator.Caller) async throws -> Response) async throws -> Response {
        let value = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : ""
        guard let token = services.tokens.check(value) else {
            let id = value.split(separator: "_", omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? "?"
            try await services.operations.recordTokenRefused(tokenID: id, now: ConsoleServices.now)
            return Responses.error(ConsoleError(.unauthenticated, "the bearer token is unknown, revoked or malformed"))
        }
        let user = token.caller
        return try await respond(ConsoleAuthenticator.Caller(
            user: user, session: ConsoleSession(user: user.name, lastSeen: ConsoleServices.now, csrf: ""), renewedCookie: ""))
    }
}
