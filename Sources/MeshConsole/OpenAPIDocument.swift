/// The OpenAPI 3.1 description of `/api`, served at `/api/openapi.json`. Kept by hand beside
/// `ConsoleAPI` and `APIModels`; the API tests check each path answers as documented.
enum OpenAPIDocument {
    static let json = #"""
    {
      "openapi": "3.1.0",
      "info": {"title": "AgentMesh console API", "version": "1.0.0",
               "description": "Plans and approvals of an AgentMesh, read from Kafka; decisions are Part 11 e-signatures."},
      "components": {
        "securitySchemes": {
          "session": {"type": "apiKey", "in": "cookie", "name": "mesh_session"},
          "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
            "properties": {"code": {"type": "string", "enum": ["bad_request", "unauthenticated", "forbidden", "csrf_token_missing_or_wrong",
              "wrong_password", "locked", "not_found", "conflict"]}, "message": {"type": "string"}}}}},
          "Session": {"type": "object", "required": ["user", "role", "csrf"],
            "properties": {"user": {"type": "string"}, "role": {"type": "string"}, "csrf": {"type": "string"}}},
          "PlanSummary": {"type": "object", "required": ["id", "title", "playbook", "state", "tasks", "waitingOnApproval"],
            "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "playbook": {"type": "string"}, "state": {"type": "string"},
              "tasks": {"type": "array", "items": {"type": "object", "required": ["task", "role", "state", "attempt"],
                "properties": {"task": {"type": "string"}, "role": {"type": "string"}, "state": {"type": "string"}, "attempt": {"type": "integer"}}}},
              "waitingOnApproval": {"type": "array", "items": {"type": "string"}}}},
          "Finding": {"type": "object", "properties": {"rule": {"type": "string"}, "severity": {"type": "string"},
            "location": {"type": "string"}, "message": {"type": "string"}}},
          "Verdict": {"type": "object", "properties": {"kind": {"type": "string"}, "decision": {"type": "string"},
            "reviewer": {"type": "string"}, "rules": {"type": "array", "items": {"type": "string"}},
            "policyBundleHash": {"type": "string"}, "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}}}},
          "Artifact": {"type": "object", "properties": {"name": {"type": "string"}, "mediaType": {"type": "string"},
            "bytes": {"type": "integer"}, "sha256": {"type": "string"}, "content": {"type": "string"}}},
          "PlanDetail": {"type": "object", "required": ["plan", "attempts"], "properties": {
            "plan": {"$ref": "#/components/schemas/PlanSummary"}, "outcome": {"type": ["string", "null"]},
            "attempts": {"type": "array", "items": {"type": "object", "properties": {"task": {"type": "string"},
              "attempt": {"type": "integer"}, "state": {"type": "string"}, "agent": {"type": "string"}, "summary": {"type": "string"},
              "artifacts": {"type": "array", "items": {"$ref": "#/components/schemas/Artifact"}},
              "verdicts": {"type": "array", "items": {"$ref": "#/components/schemas/Verdict"}}}}}}},
          "Approval": {"type": "object", "required": ["id", "objective", "task", "attempt", "author", "resultSHA256", "reason", "deadline"],
            "properties": {"id": {"type": "string"}, "objective": {"type": "string"}, "task": {"type": "string"},
              "attempt": {"type": "integer"}, "author": {"type": "string"}, "resultSHA256": {"type": "string"},
              "reason": {"type": "string"}, "deadline": {"type": "string"}, "decision": {"type": ["string", "null"]},
              "signer": {"type": ["string", "null"]}, "meaning": {"type": ["string", "null"]}}},
          "DecisionRequest": {"type": "object", "required": ["decision", "meaning", "password"], "properties": {
            "decision": {"type": "string", "enum": ["approve", "reject"]}, "meaning": {"type": "string"},
            "reason": {"type": "string"}, "password": {"type": "string", "description": "Re-entered password (21 CFR 11.200(a))."}}},
          "ObjectiveRequest": {"type": "object", "required": ["title", "playbook"], "properties": {
            "title": {"type": "string"}, "playbook": {"type": "string"}, "description": {"type": "string"}}},
          "ObjectiveResponse": {"type": "object", "required": ["correlationID"], "properties": {"correlationID": {"type": "string"}}},
          "DecisionResponse": {"type": "object", "required": ["approvalID", "envelopeID"],
            "properties": {"approvalID": {"type": "string"}, "envelopeID": {"type": "string"}}}
        },
        "responses": {
          "Error": {"description": "A typed error.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      },
      "security": [{"session": []}],
      "paths": {
        "/api/session": {"get": {"operationId": "getSession", "summary": "Who is signed in, and the CSRF token for writes.",
          "responses": {"200": {"description": "The session.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Session"}}}},
            "401": {"$ref": "#/components/responses/Error"}}}},
        "/api/plans": {"get": {"operationId": "listPlans", "summary": "Every plan with its state and tasks.",
          "responses": {"200": {"description": "Plans.", "content": {"application/json": {"schema": {"type": "array",
            "items": {"$ref": "#/components/schemas/PlanSummary"}}}}}, "401": {"$ref": "#/components/responses/Error"}}}},
        "/api/plans/{id}": {"get": {"operationId": "getPlan", "summary": "One plan: attempts, artifacts, verdicts and findings.",
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "responses": {"200": {"description": "The plan.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlanDetail"}}}},
            "401": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}},
        "/api/objectives": {"post": {"operationId": "submitObjective",
          "summary": "Submit an objective (operators and admins); the orchestrator plans it with the named playbook.",
          "security": [{"session": [], "csrf": []}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ObjectiveRequest"}}}},
          "responses": {"201": {"description": "Published to mesh.objectives.",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ObjectiveResponse"}}}},
            "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
            "403": {"$ref": "#/components/responses/Error"}}}},
        "/api/approvals": {"get": {"operationId": "listApprovals", "summary": "Approval requests and their decisions.",
          "responses": {"200": {"description": "Approvals.", "content": {"application/json": {"schema": {"type": "array",
            "items": {"$ref": "#/components/schemas/Approval"}}}}}, "401": {"$ref": "#/components/responses/Error"}}}},
        "/api/approvals/{id}/decision": {"post": {"operationId": "decideApproval",
          "summary": "Sign a decision (Part 11): re-entered password; printed name, time and meaning bound to the result hash.",
          "security": [{"session": [], "csrf": []}],
          "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionRequest"}}}},
          "responses": {"201": {"description": "Signed and published to mesh.approvals.",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DecisionResponse"}}}},
            "400": {"$ref": "#/components/responses/Error"}, "401": {"$ref": "#/components/responses/Error"},
            "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"},
            "409": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}}}
      }
    }
    """#
}
