import MeshKafka
import MeshTestSupport
import XCTest

/// Consumer-group behaviour against the embedded broker. Slow by nature: a new group forms
/// after about 3 s and a member leaving makes the rest wait up to the session timeout (6 s).
final class ConsumerGroupTests: XCTestCase {
    func testTwoMembersSplitThePartitionsAndTheSurvivorTakesOverWithNothingLost() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("split", partitions: 6)
        let producer = try fixture.producer()
        let first = try fixture.groupConsumer(group: "split-group", topics: ["split"])
        let second = try fixture.groupConsumer(group: "split-group", topics: ["split"])
        let firstSeen = Collector()
        let secondSeen = Collector()
        let firstReading = startConsuming(first, into: firstSeen)
        let secondReading = startConsuming(second, into: secondSeen)

        try await eventually("both members own a share of the 6 partitions") {
            let a = first.assignment()
            let b = second.assignment()
            return !a.isEmpty && !b.isEmpty && Set(a).isDisjoint(with: b) && a.count + b.count == 6
        }
        let batchOne = (0..<300).map { "one-\($0)" }
        try await produce(producer, topic: "split", values: batchOne)
        try await eventually("the group read the first batch") {
            await firstSeen.messages.count + secondSeen.messages.count >= 300
        }
        let readByFirst = await firstSeen.values
        let readBySecond = await secondSeen.values
        XCTAssertFalse(readByFirst.isEmpty, "the first member got a share")
        XCTAssertFalse(readBySecond.isEmpty, "the second member got a share")
        XCTAssertEqual(Set(readByFirst).intersection(readBySecond), [], "each record went to one member")
        XCTAssertEqual(Set(readByFirst + readBySecond), Set(batchOne))

        second.close()  // leaves the group; commits what it marked done
        secondReading.cancel()
        try await eventually("the survivor owns all 6 partitions") { first.assignment().count == 6 }
        let batchTwo = (0..<300).map { "two-\($0)" }
        try await produce(producer, topic: "split", values: batchTwo)
        try await eventually("the survivor read the second batch") {
            Set(await firstSeen.values).isSuperset(of: batchTwo)
        }
        let everything = Set(await firstSeen.values + readBySecond)
        XCTAssertEqual(everything, Set(batchOne + batchTwo), "nothing lost across the hand-over")
        first.close()
        firstReading.cancel()
        producer.close()
    }

    func testRecordsNotMarkedDoneAreReadAgainAfterRestartAndDoneOnesAreNot() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("redeliver", partitions: 3)
        let producer = try fixture.producer()
        // 10 records per partition, in order.
        for partition in 0..<3 {
            for index in 0..<10 {
                try await producer.send(OutgoingMessage(
                    topic: "redeliver", value: Array("p\(partition)-\(index)".utf8), partition: Int32(partition)))
            }
        }
        // The first run marks only the first 6 of each partition done, then stops.
        let firstRun = try fixture.groupConsumer(group: "redeliver-group", topics: ["redeliver"])
        let firstSeen = Collector()
        let firstReading = startConsuming(firstRun, into: firstSeen) { message in
            let index = Int(String(decoding: message.value, as: UTF8.self).split(separator: "-")[1])!
            return index < 6
        }
        try await eventually("the first run read all 30") { await firstSeen.messages.count == 30 }
        firstRun.close()
        firstReading.cancel()

        let secondRun = try fixture.groupConsumer(group: "redeliver-group", topics: ["redeliver"])
        let secondSeen = Collector()
        let secondReading = startConsuming(secondRun, into: secondSeen)
        let expected = Set((0..<3).flatMap { partition in (6..<10).map { "p\(partition)-\($0)" } })
        try await eventually("the second run read the 12 unfinished records", timeout: .seconds(40)) {
            await secondSeen.messages.count >= 12
        }
        try await Task.sleep(for: .seconds(1))  // anything done must not show up late either
        let redelivered = await secondSeen.values
        XCTAssertEqual(redelivered.count, 12, "\(redelivered)")
        XCTAssertEqual(Set(redelivered), expected)
        secondRun.close()
        secondReading.cancel()
        producer.close()
    }
}
