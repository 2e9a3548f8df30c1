/// An anchor that cannot be read or written.
public enum AnchorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A line that is not an anchored checkpoint.
    case malformed(String)
    /// A line of an anchor file or a file of an anchor directory that is not a checkpoint.
    case badEntry(location: String, detail: String)
    /// The anchor could not be read or written.
    case io(location: String, detail: String)
    /// The anchor holds no checkpoint at all (it proves nothing).
    case empty(location: String)

    public var description: String {
        switch self {
        case .malformed(let detail): return "not an anchored checkpoint: \(detail)"
        case .badEntry(let location, let detail): return "\(location): not an anchored checkpoint: \(detail)"
        case .io(let location, let detail): return "\(location): \(detail)"
        case .empty(let location):
            return "\(location) holds no checkpoint: an empty anchor proves nothing (was the file, directory or topic emptied, "
                + "or is this the wrong one?)"
        }
    }
}
