import Foundation
import HTTPTypes

/// A typed error of the JSON API: `{"error": {"code": …, "message": …}}` with its HTTP status.
public struct ConsoleError: Error, Sendable, Codable, Equatable {
    public enum Code: String, Sendable, Codable, CaseIterable {
        case badRequest = "bad_request"
        case unauthenticated
        case forbidden
        case csrf = "csrf_token_missing_or_wrong"
        case wrongPassword = "wrong_password"
        case locked
        case notFound = "not_found"
        case conflict
        /// A store the console reads (the audit store, the broker) cannot be reached.
        case unavailable
    }
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var status: HTTPResponse.Status {
        switch code {
        case .badRequest: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden, .csrf, .wrongPassword: .forbidden
        case .locked: .tooManyRequests
        case .notFound: .notFound
        case .conflict: .conflict
        case .unavailable: .serviceUnavailable
        }
    }

    /// The API's view of a refused signature.
    public init(_ refusal: SigningRefusal) {
        switch refusal {
        case .notAnApprover: self.init(.forbidden, refusal.description)
        case .wrongPassword: self.init(.wrongPassword, refusal.description)
        case .locked: self.init(.locked, refusal.description)
        case .rule(.unknown, _): self.init(.notFound, refusal.description)
        case .rule, .noKey: self.init(.conflict, refusal.description)
        case .badRequest: self.init(.badRequest, refusal.description)
        }
    }
}
