import Foundation
import MeshModel
import XCTest

final class RetryScheduleTests: XCTestCase {
    let schedule = RetrySchedule(policy: ModelRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(100), maxDelay: .milliseconds(300)))

    func testBackoffDoublesUpToTheCap() {
        XCTAssertEqual(schedule.delay(after: .server(status: 503), attempt: 1, remaining: .seconds(10)), .milliseconds(100))
        XCTAssertEqual(schedule.delay(after: .timeout, attempt: 2, remaining: .seconds(10)), .milliseconds(200))
        XCTAssertEqual(schedule.delay(after: .connection("refused"), attempt: 3, remaining: .seconds(10)), .milliseconds(300))
        XCTAssertNil(schedule.delay(after: .timeout, attempt: 4, remaining: .seconds(10)), "attempts spent")
    }

    func testRetryAfterWinsAndTheDeadlineStopsRetries() {
        XCTAssertEqual(schedule.delay(after: .rateLimited(retryAfter: .seconds(2)), attempt: 1, remaining: .seconds(10)), .seconds(2))
        XCTAssertNil(schedule.delay(after: .rateLimited(retryAfter: .seconds(20)), attempt: 1, remaining: .seconds(10)))
        XCTAssertEqual(RetrySchedule.retryAfter(" 3 "), .seconds(3))
        XCTAssertNil(RetrySchedule.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"))
    }

    func testFinalFailuresAreNotRetried() {
        XCTAssertNil(schedule.delay(after: .rejected(status: 401, detail: ""), attempt: 1, remaining: .seconds(10)))
        XCTAssertNil(schedule.delay(after: .malformedReply("x"), attempt: 1, remaining: .seconds(10)))
    }
}

final class ProxySelectionTests: XCTestCase {
    func testSchemeVariablesAndNoProxy() {
        let env = ["HTTPS_PROXY": "http://proxy.corp:3128", "http_proxy": "proxy.corp:8080", "NO_PROXY": "localhost,.internal.example"]
        XCTAssertEqual(ProxySelection.forEndpoint(URL(string: "https://api.openai.com/v1")!, environment: env),
                       ProxySelection(host: "proxy.corp", port: 3128))
        XCTAssertEqual(ProxySelection.forEndpoint(URL(string: "http://vllm.lab:8000/v1")!, environment: env),
                       ProxySelection(host: "proxy.corp", port: 8080))
        XCTAssertNil(ProxySelection.forEndpoint(URL(string: "http://localhost:11434/v1")!, environment: env))
        XCTAssertNil(ProxySelection.forEndpoint(URL(string: "https://llm.internal.example/v1")!, environment: env))
        XCTAssertNil(ProxySelection.forEndpoint(URL(string: "https://api.openai.com/v1")!, environment: ["NO_PROXY": "*", "HTTPS_PROXY": "p:1"]))
        XCTAssertNil(ProxySelection.forEndpoint(URL(string: "https://api.openai.com/v1")!, environment: [:]))
    }
}
