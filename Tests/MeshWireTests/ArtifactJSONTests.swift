import Foundation
import MeshWire
import XCTest

final class ArtifactJSONTests: XCTestCase {
    func testBytesAreWrittenAsBase64AndReadBack() throws {
        let artifact = Artifact(name: "a.txt", mediaType: "text/plain", content: Array("hello".utf8), sha256: [0, 255, 7])
        let json = try JSONEncoder().encode(artifact)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertEqual(object["content"] as? String, "aGVsbG8=")
        XCTAssertEqual(object["sha256"] as? String, "AP8H")
        XCTAssertEqual(try JSONDecoder().decode(Artifact.self, from: json), artifact)
    }

    func testEarlierSnapshotsWithByteArraysStillRead() throws {
        let legacy = #"{"name":"a","mediaType":"text/plain","content":[104,105],"sha256":[]}"#
        let artifact = try JSONDecoder().decode(Artifact.self, from: Data(legacy.utf8))
        XCTAssertEqual(artifact, Artifact(name: "a", mediaType: "text/plain", content: Array("hi".utf8)))
    }

    func testContentThatIsNeitherBytesNorBase64IsADecodingError() {
        let bad = #"{"name":"a","mediaType":"t","content":"%%%","sha256":""}"#
        XCTAssertThrowsError(try JSONDecoder().decode(Artifact.self, from: Data(bad.utf8))) { error in
            XCTAssertTrue(error is DecodingError, "\(error)")
        }
    }
}
