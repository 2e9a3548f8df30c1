import CRdKafka

/// A consumer's group id, generation and member id at one moment, which a transactional
/// producer sends with the offsets it commits (KIP-447), so the broker refuses offsets
/// from a member that has been rebalanced away. Take a fresh one for every transaction.
public final class ConsumerGroupMetadata: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        rd_kafka_consumer_group_metadata_destroy(pointer)
    }
}
