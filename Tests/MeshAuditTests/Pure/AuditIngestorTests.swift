import Foundation
import MeshAuditIngest
import MeshKafka
import MeshSigning
import MeshTransport
import XCTest
@testable import MeshAudit

/// A batch verified in slices on several cores comes back whole, in order, with each
/// rejection at its index in the batch.
final class AuditIngestorTests: XCTestCase {
    func testSlicedVerificationKeepsOrderAndRejectionIndices() throws {
        for algorithm in SigningAlgorithm.allCases {
            let workload = try AuditIngestBenchmark.workload(records: 300, traceRecords: 10, agentRole: "coding", algorithm: algorithm)
            var messages = workload.messages
            for index in [0, 129, 299] { messages[index].value[messages[index].value.count - 3] ^= 0xFF }
            let prepared = AuditIngestor(builder: AuditInputBuilder(opener: EnvelopeOpener(trust: workload.trust))).prepare(messages)
            XCTAssertEqual(prepared.inputs.count, 300)
            XCTAssertEqual(prepared.inputs.map(\.kafka), messages.map {
                KafkaCoordinates(topic: $0.topic, partition: $0.partition, offset: $0.offset, timestampMillis: $0.timestampMs)
            }, "\(algorithm): inputs in batch order")
            XCTAssertEqual(prepared.rejections.map(\.index), [0, 129, 299], "\(algorithm)")
            XCTAssertEqual(prepared.inputs.filter { $0.verification.isVerified }.count, 297, "\(algorithm)")
        }
    }
}
