import Foundation
import MeshCatalog
import MeshOrchestration
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// Proto/vectors/ is what this implementation produces and how it judges: the committed files
/// must equal a fresh generation byte for byte (so neither can drift without the other), and
/// the committed key ring must load with the Swift loaders. Regenerate after an intended
/// contract change with `AGENTMESH_WRITE_VECTORS=1 swift test --filter ContractVectorTests`.
final class ContractVectorTests: XCTestCase {
    static var vectorsDirectory: URL { repositoryRoot().appendingPathComponent("Proto/vectors") }

    private func generate() throws -> ContractVectors {
        try ContractVectors(catalog: try CatalogLoader.load(directory: repositoryRoot().appendingPathComponent("Topics")))
    }

    func testTheCommittedVectorsAreWhatThisImplementationProducesAndJudges() throws {
        let vectors = try generate()
        defer { vectors.ring.remove() }
        let directory = Self.vectorsDirectory
        if ProcessInfo.processInfo.environment["AGENTMESH_WRITE_VECTORS"] == "1" {
            for (path, bytes) in vectors.files {
                let url = directory.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: url)
            }
            print("wrote \(vectors.files.count) vector files to \(directory.path)")
        }
        for (path, bytes) in vectors.files.sorted(by: { $0.key < $1.key }) {
            let committed = try? Data(contentsOf: directory.appendingPathComponent(path))
            XCTAssertEqual(committed.map(Array.init), bytes,
                           "Proto/vectors/\(path) differs from what this build generates; if the contract changed on purpose, "
                               + "regenerate with AGENTMESH_WRITE_VECTORS=1 swift test --filter ContractVectorTests and update CONTRACT.md")
        }
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        var committed: Set<String> = []
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                committed.insert(String(url.path.dropFirst(directory.path.count + 1)))
            }
        }
        XCTAssertEqual(committed.subtracting(["README.md"]), Set(vectors.files.keys), "stale or missing vector files")
    }

    /// The committed ring, copied with owner-only modes, loads and verifies every accepted case.
    func testTheCommittedKeyRingVerifiesTheAcceptedEnvelopes() throws {
        let ring = try TemporaryKeyRing()
        defer { ring.remove() }
        let directory = Self.vectorsDirectory
        let enumerator = FileManager.default.enumerator(at: directory.appendingPathComponent("keyring"), includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            try ring.place(String(url.path.dropFirst(directory.path.count + 1)), Array(try Data(contentsOf: url)))
        }
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: ring.directory))
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("envelopes.json"))) as! [String: Any]
        let cases = document["cases"] as! [[String: Any]]
        XCTAssertGreaterThanOrEqual(cases.count, 15)
        for vector in cases where (vector["expected"] as! [String: Any])["accept"] as! Bool {
            let sealed = try XCTUnwrap(Hex.decode(vector["sealed"] as! String))
            let opened = try opener.open(sealed).get()
            XCTAssertEqual(opened.signer.principal, (vector["expected"] as! [String: Any])["signer"] as? String)
        }
        // The approval manifest verifies under alice's committed public key.
        let manifest = try JSONSerialization.jsonObject(
            with: Data(contentsOf: directory.appendingPathComponent("approval-manifest.json"))) as! [String: Any]
        let signature = SignatureValue(keyId: manifest["signatureKeyID"] as! String, algorithm: .ed25519,
                                       bytes: try XCTUnwrap(Hex.decode(manifest["signature"] as! String)))
        let signer = try KeyRingStore.loadTrustStore(from: ring.directory).verify(
            try XCTUnwrap(Hex.decode(manifest["manifest"] as! String)), signatures: [signature], from: "alice")
        XCTAssertEqual(signer.principalKind, .person)
    }
}
