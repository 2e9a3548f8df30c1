import Foundation

/// Ends a role whose supervisor died. `meshctl up` and `meshctl bench pipeline` give their
/// children `AGENTMESH_PARENT_PID`; once that process is gone (SIGKILLed, crashed), the child
/// sends itself SIGTERM and drains like any stopped role instead of running on as an orphan.
/// Containers do not set the variable: their runtime stops them.
public enum ParentWatch {
    public static let environmentKey = "AGENTMESH_PARENT_PID"

    /// Starts watching when the environment names a parent; returns whether it does.
    @discardableResult
    public static func startIfRequested(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let text = environment[environmentKey], let parent = pid_t(text), parent > 1 else { return false }
        let thread = Thread {
            // The first look comes after start-up, once SIGTERM means an orderly stop.
            repeat { Thread.sleep(forTimeInterval: 0.5) } while getppid() == parent
            FileHandle.standardError.write(Data("parent process \(parent) is gone: stopping (SIGTERM to self)\n".utf8))
            kill(getpid(), SIGTERM)
        }
        thread.name = "agentmesh.parent-watch"
        thread.start()
        return true
    }

    /// `environment` plus this process as the parent to watch.
    public static func childEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var result = environment
        result[environmentKey] = String(getpid())
        return result
    }
}
