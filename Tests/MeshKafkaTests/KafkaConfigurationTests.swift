import MeshKafka
import XCTest

final class KafkaConfigurationTests: XCTestCase {
    func testPropertiesFileParsesKafkaToolingFormat() throws {
        let text = """
            # client settings for a managed cluster
            bootstrap.servers=broker-1:9093, broker-2:9093
            security.protocol = SASL_SSL
            ! legacy comment style
            sasl.mechanism: SCRAM-SHA-512

            """
        let properties = try KafkaConfiguration.parseProperties(text, fileName: "client.properties")
        XCTAssertEqual(properties["bootstrap.servers"], "broker-1:9093, broker-2:9093")
        XCTAssertEqual(properties["security.protocol"], "SASL_SSL")
        XCTAssertEqual(properties["sasl.mechanism"], "SCRAM-SHA-512")
        XCTAssertEqual(properties.count, 3)
    }

    func testMalformedPropertiesLineNamesFileAndLine() {
        let text = "linger.ms=5\nthis line has no separator\n"
        XCTAssertThrowsError(try KafkaConfiguration.parseProperties(text, fileName: "client.properties")) { error in
            XCTAssertTrue("\(error)".contains("client.properties:2:"), "\(error)")
        }
    }

    func testUnknownLibrdkafkaPropertyIsNamedInTheError() {
        let configuration = KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["linger.msec": "5"])
        XCTAssertThrowsError(try KafkaProducer(configuration: configuration, logger: .init(label: "test"))) { error in
            XCTAssertTrue("\(error)".contains("\"linger.msec\""), "\(error)")
        }
    }

    func testOverridesAndDefaultsPrecedence() {
        let base = KafkaConfiguration(bootstrapServers: "a:1", properties: ["linger.ms": "50"])
        XCTAssertEqual(base.withDefaults(["linger.ms": "5", "acks": "all"])["linger.ms"], "50")
        XCTAssertEqual(base.withDefaults(["acks": "all"])["acks"], "all")
        XCTAssertEqual(base.merging(["linger.ms": "1"])["linger.ms"], "1")
    }

    /// Every consumer (role workers, the audit sink, tools) skips records of aborted or open
    /// transactions unless an operator deliberately overrides it.
    func testConsumersReadOnlyCommittedRecordsByDefault() {
        XCTAssertEqual(KafkaConsumer.defaultProperties["isolation.level"], "read_committed")
    }
}
