@testable import MeshKafka
import XCTest

/// The consumer's state machine on its own: what it tells the consumer to do with librdkafka.
final class ConsumerStateTests: XCTestCase {
    let partition = TopicPartition(topic: "t", partition: 0)
    let other = TopicPartition(topic: "t", partition: 1)

    private func record(_ partition: TopicPartition, _ offset: Int64) -> ConsumedMessage {
        ConsumedMessage(topic: partition.topic, partition: partition.partition, offset: offset, key: nil, value: [],
                        headers: ConsumedHeaders([]), timestampMs: 0)
    }

    private func handOut(_ state: inout ConsumerState, _ records: [ConsumedMessage]) -> [ConsumedMessage] {
        state.received(records, epochsAtStart: state.readEpochs)
        var taken: [ConsumedMessage] = []
        while let next = state.takeBuffered() { taken.append(next) }
        return taken
    }

    func testDoneRecordsStoreTheContiguousWatermarkOnly() {
        var state = ConsumerState(offsetCommits: .byConsumer, tracksOffsets: true)
        let taken = handOut(&state, [record(partition, 5), record(partition, 6), record(partition, 7)])
        XCTAssertEqual(state.inFlightCount, 3)
        XCTAssertNil(state.markDone(taken[1]), "6 is done before 5: nothing may be stored yet")
        XCTAssertEqual(state.markDone(taken[0]), .storeOffset(partition, 7))
        XCTAssertEqual(state.markDone(taken[2]), .storeOffset(partition, 8))
        XCTAssertEqual(state.inFlightCount, 0)
    }

    func testInTransactionsTheOffsetsAreCollectedForTheTransactionNotStored() {
        var state = ConsumerState(offsetCommits: .inTransactions, tracksOffsets: true)
        let taken = handOut(&state, [record(partition, 0), record(other, 3)])
        XCTAssertNil(state.markDone(taken[0]))
        XCTAssertNil(state.markDone(taken[1]))
        XCTAssertEqual(state.takeTransactionOffsets(), [partition: 1, other: 4])
        XCTAssertEqual(state.takeTransactionOffsets(), [:], "taken once")
    }

    func testAPartitionReaderStoresNothing() {
        var state = ConsumerState(offsetCommits: .byConsumer, tracksOffsets: false)
        let taken = handOut(&state, [record(partition, 0)])
        XCTAssertNil(state.markDone(taken[0]))
    }

    func testARevokeCommitsFirstUnlessLostAndThenReadsAreNoLongerCurrent() {
        var state = ConsumerState(offsetCommits: .byConsumer, tracksOffsets: true)
        let taken = handOut(&state, [record(partition, 0), record(other, 0)])
        state.received([record(partition, 1)], epochsAtStart: state.readEpochs)
        XCTAssertEqual(state.revoking([partition], lost: false), .commitStored)
        XCTAssertNil(state.revoking([partition], lost: true), "a lost assignment may no longer commit")
        state.invalidateRevoked([partition])
        XCTAssertFalse(state.isCurrent(taken[0]))
        XCTAssertTrue(state.isCurrent(taken[1]))
        XCTAssertNil(state.takeBuffered(), "the buffered record of the revoked partition is dropped")
        XCTAssertNil(state.markDone(taken[0]), "the new owner commits its offsets")
        XCTAssertEqual(state.markDone(taken[1]), .storeOffset(other, 1))
        XCTAssertEqual(state.rebalances, 2)
    }

    func testInTransactionsARevokeFinishesTheTransactionFirst() {
        var state = ConsumerState(offsetCommits: .inTransactions, tracksOffsets: true)
        XCTAssertEqual(state.revoking([partition], lost: true), .finishTransaction([partition], lost: true))
    }

    func testARewindSeeksOnceAndDropsWhatAPollStartedBeforeItReturns() {
        var state = ConsumerState(offsetCommits: .inTransactions, tracksOffsets: true)
        let taken = handOut(&state, [record(partition, 4)])
        _ = state.markDone(taken[0])
        let epochsBefore = state.readEpochs
        state.rewind(to: [partition: 2])
        XCTAssertEqual(state.takeTransactionOffsets(), [:], "offsets of the rewound partition are not committed")
        XCTAssertEqual(state.takeSeeks(), [partition: 2])
        XCTAssertEqual(state.takeSeeks(), [:])
        state.received([record(partition, 5)], epochsAtStart: epochsBefore)
        XCTAssertNil(state.takeBuffered(), "fetched before the rewind")
        XCTAssertEqual(handOut(&state, [record(partition, 2)]).map(\.offset), [2])
    }

    func testReadingToTheEndEndsOnceEveryPartitionReachedItsEnd() {
        var state = ConsumerState(offsetCommits: .byConsumer, tracksOffsets: false, readingToEnd: [partition, other])
        state.reachedEnd(of: partition)
        XCTAssertFalse(state.partitionsBeforeEnd.isEmpty)
        state.reachedEnd(of: other)
        XCTAssertTrue(state.partitionsBeforeEnd.isEmpty)
    }

    func testCloseHappensOnce() {
        var state = ConsumerState(offsetCommits: .byConsumer, tracksOffsets: true)
        XCTAssertTrue(state.close())
        XCTAssertFalse(state.close())
        XCTAssertTrue(state.isClosed)
    }
}
