import Foundation
import MeshCompliance
import MeshModel
import MeshTestSupport
import MeshWire

/// The repository's shipped policy packs and agent files, found from this file's path.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let policies: PolicyBundle = try! PolicyBundle.load(directory: root + "/Policies")

    /// Synthetic PHI the detectors recognise: never a real person.
    static let ssn = "123-45-6789"
    static let patientName = "Maria Gonzalez"
    static let mrn = "88123456"
    static let phiInput = """
        Patient: \(patientName)
        SSN: \(ssn)
        MRN: \(mrn)
        Symptoms: none recorded.
        """

    static func definition(_ server: FakeModelServer, flavour: ModelFlavour = .openAIChat, phi: PHIEgress = .pseudonymise,
                           retries: ModelRetryPolicy = ModelRetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(200)),
                           requestTimeout: Duration = .seconds(5), budget: ModelBudget = ModelBudget(),
                           failureThreshold: Int = 100, coolDown: Duration = .seconds(30), maxConcurrency: Int = 4,
                           credentials: CredentialReference? = .environment("FAKE_MODEL_KEY")) -> AgentDefinition {
        AgentDefinition(
            role: "coding",
            endpoint: ModelEndpoint(name: "fake", url: server.url, flavour: flavour, credentials: credentials, phi: phi,
                                    maxConcurrency: maxConcurrency, failureThreshold: failureThreshold, coolDown: coolDown),
            model: "fake-model", timeouts: ModelTimeouts(connect: .milliseconds(500), request: requestTimeout, task: .seconds(30)), retries: retries,
            budget: budget, pricing: ModelPricing(promptPerMillion: 1, completionPerMillion: 2))
    }

    static let apiKey = "sk-test-0123456789abcdefTESTKEY"
    static let environment = ["FAKE_MODEL_KEY": apiKey]

    static func task(instructions: String = "Add a feature", inputs: [MeshWire.Artifact] = [], feedback: [MeshWire.Finding] = [],
                     attempt: UInt32 = 1, deadlineUnixMicros: Int64 = 0) -> TaskAssigned {
        TaskAssigned(taskID: "t-1", planID: "p-1", role: "coding", instructions: instructions, attempt: attempt, inputs: inputs,
                     feedback: feedback, deadlineUnixMicros: deadlineUnixMicros)
    }
}
