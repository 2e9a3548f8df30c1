import Foundation
import HTTPTypes
import Hummingbird
import MeshAudit
import MeshOps

/// The operator and auditor views: agents, dead letters (with redrive), compliance, audit,
/// and a plan's audit trace; each a page and a JSON endpoint over the same data.
struct FleetRoutes: Sendable {
    let services: ConsoleServices
    var pages: ConsolePages { ConsolePages(services: services) }
    var api: ConsoleAPI { ConsoleAPI(services: services) }

    func add(to router: Router<BasicRequestContext>) {
        // Pages
        router.get("/agents") { request, _ in
            try await pages.page(request) { caller in
                AgentsPage.render(APIModels.agents(try await services.fleet.roster()), lag: consumerLag(), user: caller.user,
                                  csrf: caller.session.csrf)
            }
        }
        router.get("/deadletters") { request, _ in
            try await pages.page(request) { caller in
                DeadLettersPage.render(try await services.fleet.letters().map(APIModels.deadLetter), user: caller.user, csrf: caller.session.csrf)
            }
        }
        router.get("/deadletters/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await pages.page(request) { caller in
                guard let letter = try await services.fleet.letters().first(where: { $0.id == id }) else { return nil }
                return DeadLettersPage.inspect(APIModels.deadLetterDetail(letter), user: caller.user, csrf: caller.session.csrf)
            }
        }
        router.post("/deadletters/redrive") { request, _ in try await redriveForm(request) }
        router.get("/compliance") { request, _ in
            try await pages.page(request) { caller in
                CompliancePage.render(ComplianceSummary(await services.feed.current().verdictLog, classes: services.ruleClasses),
                                      classesFrom: services.ruleClasses.bundleHash, user: caller.user, csrf: caller.session.csrf)
            }
        }
        router.get("/audit") { request, _ in
            try await pages.page(request) { caller in AuditPage.render(services.verify(), user: caller.user, csrf: caller.session.csrf) }
        }

        // API
        router.get("/api/agents") { request, _ in
            try await api.authorised(request) { _ in Responses.json(APIModels.agents(try await services.fleet.roster())) }
        }
        router.get("/api/agents/lag") { request, _ in
            try await api.authorised(request) { _ in
                switch consumerLag() {
                case .success(let lag): return Responses.json(lag)
                case .failure(let error): return Responses.error(error)
                }
            }
        }
        router.get("/api/deadletters") { request, _ in
            try await api.authorised(request) { _ in Responses.json(try await services.fleet.letters().map(APIModels.deadLetter)) }
        }
        router.get("/api/deadletters/:id") { request, context in
            let id = try context.parameters.require("id")
            return try await api.authorised(request) { _ in
                guard let letter = try await services.fleet.letters().first(where: { $0.id == id }) else {
                    return Responses.error(ConsoleError(.notFound, "no dead letter \(id) on \(DeadLetterDesk.topic)"))
                }
                return Responses.json(APIModels.deadLetterDetail(letter))
            }
        }
        router.post("/api/deadletters/redrive") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 65536)
            return try await api.authorised(request, write: true) { caller in
                guard let parsed = try? JSONDecoder().decode(APIModels.RedriveRequest.self, from: Data(buffer: body)) else {
                    return Responses.error(ConsoleError(.badRequest, "the body must be JSON {ids: [\"partition:offset\", …], reason}"))
                }
                do {
                    let outcomes = try await redrive(ids: parsed.ids, reason: parsed.reason, by: caller.user)
                    return Responses.json(APIModels.RedriveResponse(outcomes: outcomes.map(\.line)), status: .created)
                } catch let error as ConsoleError {
                    return Responses.error(error)
                }
            }
        }
        router.get("/api/compliance") { request, _ in
            try await api.authorised(request) { _ in Responses.json(ComplianceSummary(await services.feed.current().verdictLog, classes: services.ruleClasses)) }
        }
        router.get("/api/audit/verify") { request, _ in
            try await api.authorised(request) { _ in
                switch services.verify() {
                case .success(let report): return Responses.json(object: report)
                case .failure(let error): return Responses.error(error)
                }
            }
        }
        router.get("/api/audit/export") { request, _ in
            try await api.authorised(request) { caller in
                guard caller.user.role.mayAudit else {
                    return Responses.error(ConsoleError(.forbidden, "your role (\(caller.user.role.rawValue)) may not export the audit trail"))
                }
                let name = request.uri.queryParameters.get("format") ?? "jsonl"
                guard let format = AuditExporter.Format(rawValue: name) else {
                    return Responses.error(ConsoleError(.badRequest, "format must be jsonl or csv, not \"\(name)\""))
                }
                return export(format)
            }
        }
        router.get("/api/plans/:id/trace") { request, context in
            let id = try context.parameters.require("id")
            return try await api.authorised(request) { _ in
                switch services.trace(id) {
                case .failure(let error): return Responses.error(error)
                case .success(let trace) where trace.records.isEmpty:
                    return Responses.error(ConsoleError(.notFound, "no records with correlation id \(id) in the audit store"))
                case .success(let trace): return Responses.json(object: AuditTraceDocument.json(trace))
                }
            }
        }
    }

    private func consumerLag() -> Result<[APIModels.ConsumerLag], ConsoleError> {
        do {
            return .success(APIModels.consumerLag(try services.fleet.lag()))
        } catch {
            return .failure(ConsoleError(.unavailable, "the broker did not answer for consumer lag: \(error)"))
        }
    }

    /// Only operators and admins redrive; the rest of the checks are `FleetDesk.redrive`'s.
    private func redrive(ids: [String], reason: String, by user: ConsoleUser) async throws -> [DeadLetterDesk.Outcome] {
        guard user.role.mayOperate else {
            try await services.record(.redriveRefused, person: user.name, reason: "redrive of \(ids.joined(separator: ", ")): role \(user.role.rawValue)")
            throw ConsoleError(.forbidden, "your role (\(user.role.rawValue)) may not redrive dead letters; nothing was sent")
        }
        return try await services.fleet.redrive(ids: ids, reason: reason, by: user.name)
    }

    private func redriveForm(_ request: Request) async throws -> Response {
        var request = request
        let text = String(buffer: try await request.collectBody(upTo: 65536))
        let form = FormBody(text)
        guard let caller = services.authenticator.caller(request, now: ConsoleServices.now) else { return Responses.redirect("/login?next=/deadletters") }
        guard form["csrf"] == caller.session.csrf else { return pages.csrfRefused() }
        let ids = FormBody.values("id", in: text)
        let message: String
        let status: HTTPResponse.Status
        do {
            message = try await redrive(ids: ids, reason: form["reason"] ?? "", by: caller.user).map(\.line).joined(separator: "; ")
            status = .ok
        } catch let error as ConsoleError {
            message = error.message
            status = error.status
        }
        let letters = try await services.fleet.letters().map(APIModels.deadLetter)
        return Responses.html(DeadLettersPage.render(letters, user: caller.user, csrf: caller.session.csrf, message: message),
                              status: status, cookies: [caller.renewedCookie])
    }

    private func export(_ format: AuditExporter.Format) -> Response {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("console-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            let report = try services.audit.export(format: format, to: file)
            var headers = Responses.headers(format == .jsonLines ? "application/x-ndjson" : "text/csv", cookies: [])
            headers[HTTPField.Name("Content-Disposition")!] = "attachment; filename=\"audit-\(report.logID).\(format.rawValue)\""
            headers[HTTPField.Name("X-Audit-Valid")!] = report.isValid ? "true" : "false"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try Data(contentsOf: file))))
        } catch let error as ConsoleError {
            return Responses.error(error)
        } catch {
            return Responses.error(ConsoleError(.unavailable, "exporting the audit store failed: \(error)"))
        }
    }
}
