import MeshCLI
import MeshModel
import XCTest

/// The model endpoint flags mesh-agent applies and meshctl up, demo and bench pass on.
final class ModelEndpointOptionsTests: XCTestCase {
    func testTheFlavoursAreTheModelFlavours() {
        XCTAssertEqual(ModelEndpointOptions.flavours, ModelFlavour.allCases.map(\.rawValue))
    }

    func testGivenFlagsArePassedOnInOrder() throws {
        let options = try ModelEndpointOptions.parse(["--model", "llama3.1", "--model-endpoint", "http://localhost:11434/v1",
                                                      "--model-api-key-env", "KEY"])
        XCTAssertEqual(options.agentArguments, ["--model-endpoint", "http://localhost:11434/v1", "--model", "llama3.1",
                                                "--model-api-key-env", "KEY"])
        XCTAssertEqual(try ModelEndpointOptions.parse([]).agentArguments, [])
    }

    func testAnUnknownFlavourIsRefused() {
        XCTAssertThrowsError(try ModelEndpointOptions.parse(["--model-flavour", "gemini"])) { error in
            XCTAssertTrue(ModelEndpointOptions.message(for: error).contains("--model-flavour must be openai-chat or anthropic-messages"),
                          ModelEndpointOptions.message(for: error))
        }
    }
}
