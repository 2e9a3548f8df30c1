/// Why a person's decision is refused before anything is published.
public struct ApprovalRefusal: Error, CustomStringConvertible, Sendable {
    /// What kind of refusal, so an HTTP front end can pick a status without parsing text.
    public enum Reason: String, Sendable {
        case unknown, alreadyDecided, separationOfDuties, noKey, wrongKey, notAPerson, expired
    }
    public let reason: Reason
    public let description: String
    public init(_ reason: Reason, _ description: String) {
        self.reason = reason
        self.description = description
    }
}
