import ArgumentParser
import MeshSigning
import MeshTransport

extension ConnectionOptions {
    /// The key ring folder: `<home>/keys` (made by `meshctl keys init`).
    public var keysDirectory: String { environment.keysDirectory.path }

    /// The verifying side of the key ring.
    public func opener() throws -> EnvelopeOpener {
        EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keysDirectory))
    }

    /// The signing side for `principal` (a role, or a person for approvals).
    public func sealer(as principal: String) throws -> EnvelopeSealer {
        EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: principal, from: keysDirectory))
    }
}
