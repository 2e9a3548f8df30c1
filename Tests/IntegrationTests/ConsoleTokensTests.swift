import Foundation
import MeshTestSupport
import MeshWire
import XCTest

/// API tokens for machine clients against the real console: bearer auth with the token's
/// role, no CSRF token needed, revocation effective on the next request, refusals recorded,
/// and no signing with a token.
final class ConsoleTokensTests: XCTestCase {
    var console: ConsoleHarness?

    override func tearDown() {
        console?.stop()
        console?.mesh.shutdown()
    }

    func testATokenActsWithItsRoleWithoutCSRFUntilRevoked() async throws {
        let console = try await ConsoleHarness.onApprovalMesh()
        self.console = console
        let operatorToken = try await console.addToken("ci-pipeline", role: "operator")
        let viewerToken = try await console.addToken("dashboard", role: "viewer")
        do {
            let refused = try await console.tokens(["add", "robot", "--role", "approver"])
            XCTAssertNotEqual(refused.status, 0, "a token never carries the approver role")
        }
        let client = console.browser()

        // Reads with any token; writes with an operator's, with no CSRF token.
        do { let reply = try await client.send("GET", "/api/plans", bearer: viewerToken); XCTAssertEqual(reply.status, 200, reply.body) }
        let submitted = try await client.send("POST", "/api/objectives", bearer: operatorToken,
                                              json: ["title": "Started by CI", "playbook": "approval"])
        XCTAssertEqual(submitted.status, 201, submitted.body)
        let objective = try XCTUnwrap((submitted.json as? [String: Any])?["correlationID"] as? String)
        _ = try await console.mesh.first(objective) { if case .planCreated = $0.payload { return true } else { return false } }
        let person = console.browser()
        do { let reply = try await person.signIn("victor", "victor-password"); XCTAssertEqual(reply.status, 303) }
        try await eventually("the plan names the token as its submitter") {
            (try? await person.get("/plans/\(objective)").body.contains("submitted by token:")) == true
        }

        // A viewer's token may not write; no token may sign.
        do { let reply = try await client.send("POST", "/api/objectives", bearer: viewerToken, json: ["title": "No", "playbook": "approval"])
             XCTAssertEqual(reply.status, 403); XCTAssertEqual(reply.errorCode, "forbidden") }
        let request = try await console.mesh.first(objective) { $0.approvalRequest != nil }
        let approvalID = try XCTUnwrap(request.approvalRequest?.approvalID)
        do { let reply = try await client.send("POST", "/api/approvals/\(approvalID)/decision", bearer: operatorToken,
                                                json: ["decision": "approve", "meaning": "approved", "password": "x"])
             XCTAssertEqual(reply.status, 403); XCTAssertEqual(reply.errorCode, "forbidden") }

        // Unknown, malformed and (after revoke) revoked tokens: 401, recorded.
        for bad in ["amt_000000000000_" + String(repeating: "0", count: 64), "not-a-token", operatorToken + "x"] {
            let reply = try await client.send("GET", "/api/plans", bearer: bad)
            XCTAssertEqual(reply.status, 401, bad)
            XCTAssertEqual(reply.errorCode, "unauthenticated")
        }
        let id = String(operatorToken.split(separator: "_")[1])
        let revoked = try await console.tokens(["revoke", id])
        XCTAssertEqual(revoked.status, 0, revoked.stderr)
        do { let reply = try await client.send("GET", "/api/plans", bearer: operatorToken); XCTAssertEqual(reply.status, 401, "revoked takes effect at once") }
        do { let reply = try await client.send("GET", "/api/plans", bearer: viewerToken); XCTAssertEqual(reply.status, 200, "other tokens still work") }
        try await eventually("refused tokens are recorded") {
            (try? await console.operations().filter {
                if case .replayRequested(let record) = $0.payload { return record.mode == "console.token-refused" } else { return false }
            }.count) == 4
        }
        // A flood of bad tokens: every one refused, but recorded at most 10 a minute (the rest
        // counted into a later record), so a client cannot fill mesh.operations for free.
        for attempt in 0..<20 {
            let reply = try await client.send("GET", "/api/plans", bearer: "amt_flood\(attempt)_" + String(repeating: "1", count: 64))
            XCTAssertEqual(reply.status, 401)
        }
        func refusalRecords() async -> Int? {
            try? await console.operations().filter {
                if case .replayRequested(let record) = $0.payload { return record.mode == "console.token-refused" } else { return false }
            }.count
        }
        try await eventually("the flood's first refusals are recorded") { (await refusalRecords() ?? 0) >= 10 }
        // 24 refusals span at most two one-minute windows of 10 records each.
        let recorded = await refusalRecords() ?? 0
        XCTAssertLessThanOrEqual(recorded, 20, "\(recorded) records for 24 refused tokens")
        let file = try String(contentsOfFile: console.tokensFile, encoding: .utf8)
        XCTAssertFalse(file.contains(String(operatorToken.split(separator: "_")[2])), "the secret itself is not stored")
    }
}
