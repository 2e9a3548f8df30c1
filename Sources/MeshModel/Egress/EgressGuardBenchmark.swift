import MeshCompliance

/// What the egress guard costs: screening a prompt of a given size, with the PHI a clinical
/// coding task typically carries, measured on the caller's thread.
public enum EgressGuardBenchmark {
    public struct Figures: Sendable, Codable, Hashable {
        public var promptBytes: Int
        public var rounds: Int
        /// Distinct PHI values masked per prompt.
        public var maskedValues: Int
        public var microsecondsPerPrompt: Double
        public var microsecondsPerKiB: Double
    }

    /// A prompt of about `bytes`: source code and notes, with one patient's name, SSN and MRN.
    public static func prompt(bytes: Int) -> String {
        let phi = "Patient: Maria Gonzalez\nSSN: 123-45-6789\nMRN: 88123456\n"
        let filler = """
            func lookup(_ id: String) throws -> Record {
                guard let record = store.first(where: { $0.id == id }) else { throw LookupError.missing(id) }
                return record
            }

            """
        var text = phi
        while text.utf8.count < bytes { text += filler }
        return text
    }

    /// Screens a `promptBytes` prompt `rounds` times, each with a fresh guard (a task's) of
    /// the agent role `role`, so the role's scoped rules apply.
    public static func run(policies: PolicyBundle, role: String, promptBytes: Int = 8192, rounds: Int = 500) -> Figures {
        let text = prompt(bytes: promptBytes)
        var masked = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<rounds {
                var egress = EgressGuard(bundle: policies, policy: .pseudonymise, role: role)
                _ = egress.screen([text])
                masked = egress.counts.values.reduce(0, +)
            }
        }
        let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
        let perPrompt = micros / Double(max(1, rounds))
        return Figures(promptBytes: text.utf8.count, rounds: rounds, maskedValues: masked, microsecondsPerPrompt: perPrompt,
                       microsecondsPerKiB: perPrompt / (Double(text.utf8.count) / 1024))
    }
}
