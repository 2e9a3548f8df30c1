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
        _ = state.assigned([partition, other], protocol: .eager)
        let taken = handOut(&state, [record(partition, 0), record(partition, 1), record(other, 0)])
        XCTAssertEqual(state.markDone(taken[0]), .storeOffset(partition, 1))
        state.received([record(partition, 2)], epochsAtStart: state.readEpochs)
        XCTAssertEqual(state.revoking([partition], lost: false), .commit([partition: 1]))
        XCTAssertNil(state.revoking([partition], lost: true), "a lost assignment may no longer commit")
        XCTAssertEqual(state.revoked([partition], protocol: .eager), .unassign([partition], incremental: false))
        XCTAssertFalse(state.isCurrent(taken[1]))
        XCTAssertTrue(state.isCurrent(taken[2]))
        XCTAssertNil(state.takeBuffered(), "the buffered record of the revoked partition is dropped")
        XCTAssertNil(state.markDone(taken[1]), "the new owner commits its offsets")
        XCTAssertEqual(state.markDone(taken[2]), .storeOffset(other, 1))
        XCTAssertEqual(state.rebalances, 3)
    }

    func testARevokeWithNothingDoneCommitsNothing() {
        var state = ConsumerState(offsetCommits: .byConsumer, tracksOffsets: true)
        _ = handOut(&state, [record(partition, 0)])
        XCTAssertNil(state.revoking([partition], lost: false))
    }

    func testEagerAssignmentsReplaceTheWholeAssignment() {
        var state = ConsumerState(offsetCommits: .byConsumer, tracksOffsets: true)
        XCTAssertEqual(state.assigned([partition, other], protocol: .eager), .assign([partition, other], incremental: false))
        _ = state.revoked([partition, other], protocol: .eager)
        XCTAssertEqual(state.assigned([other], protocol: .eager), .assign([other], incremental: false))
        XCTAssertEqual(state.assignment, [other])
    }

    /// Cooperative: a member keeping `other` while `partition` moves away goes on with
    /// `other` exactly as if nothing happened: its buffered and in-flight records stay
    /// current, its offsets are neither committed at the revoke nor forgotten.
    func testACooperativeRevokeTouchesOnlyTheRevokedPartitions() {
        var state = ConsumerState(offsetCommits: .byConsumer, tracksOffsets: true)
        XCTAssertEqual(state.assigned([partition, other], protocol: .cooperative), .assign([partition, other], incremental: true))
        let taken = handOut(&state, [record(partition, 0), record(other, 0), record(other, 1)])
        XCTAssertEqual(state.markDone(taken[0]), .storeOffset(partition, 1))
        XCTAssertEqual(state.markDone(taken[1]), .storeOffset(other, 1))
        state.received([record(partition, 1), record(other, 2)], epochsAtStart: state.readEpochs)

        XCTAssertEqual(state.revoking([partition], lost: false), .commit([partition: 1]), "only the revoked partition's offset")
        XCTAssertEqual(state.revoked([partition], protocol: .cooperative), .unassign([partition], incremental: true))
        XCTAssertEqual(state.assignment, [other])
        XCTAssertEqual(state.readEpochs[other, default: 0], 0, "the kept partition's reads stay current")
        XCTAssertTrue(state.isCurrent(taken[2]))
        XCTAssertEqual(state.takeBuffered().map(\.offset), 2, "the kept partition's buffered record is still handed out")
        XCTAssertEqual(state.markDone(taken[2]), .storeOffset(other, 2), "its in-flight record still stores its offset")
        XCTAssertEqual(state.inFlightCount, 1, "offset 2 of the kept partition is in flight")

        XCTAssertEqual(state.assigned([partition], protocol: .cooperative), .assign([partition], incremental: true))
        XCTAssertEqual(state.assignment, [partition, other], "added to the kept one, not replacing it")
        XCTAssertEqual(state.revoking([partition], lost: false), nil, "what was stored before the revoke went with it")
    }

    func testInTransactionsACooperativeRevokeKeepsTheKeptPartitionsOffsets() {
        var state = ConsumerState(offsetCommits: .inTransactions, tracksOffsets: true)
        _ = state.assigned([partition, other], protocol: .cooperative)
        let taken = handOut(&state, [record(partition, 0), record(other, 0)])
        _ = state.markDone(taken[0])
        _ = state.markDone(taken[1])
        XCTAssertEqual(state.revoking([partition], lost: false), .finishTransaction([partition], lost: false))
        _ = state.revoked([partition], protocol: .cooperative)
        XCTAssertEqual(state.takeTransactionOffsets(), [other: 1], "the kept partition's offset still goes with the next transaction")
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
