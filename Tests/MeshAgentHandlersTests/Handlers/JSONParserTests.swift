@testable import MeshAgentHandlers
import XCTest

final class JSONParserTests: XCTestCase {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func offendingByte(_ bytes: [UInt8]) -> Int? {
        do { _ = try JSONParser.parse(bytes); return nil } catch let error as JSONSyntaxError { return error.offset } catch { return nil }
    }

    func testValuesRoundTripThroughTheWriter() throws {
        let text = #"{"a":[1,-2.5e3,true,false,null],"b":"é\u00e9\ud83d\ude00\n\"","c":{}}"#
        let value = try parse(text)
        XCTAssertEqual(value["b"], .string("éé😀\n\""))
        XCTAssertEqual(String(decoding: JSONWriter.bytes(value), as: UTF8.self), #"{"a":[1,-2.5e3,true,false,null],"b":"éé😀\n\"","c":{}}"#)
    }

    func testErrorsReportTheByteOffset() {
        XCTAssertEqual(offendingByte(Array(#"{"a":1,}"#.utf8)), 7)
        XCTAssertEqual(offendingByte(Array(#"{"a":01}"#.utf8)), 6)
        XCTAssertEqual(offendingByte(Array(#"{"a":1} x"#.utf8)), 8)
        XCTAssertEqual(offendingByte(Array(#"{"a":"\ud800"}"#.utf8)), 6)
        XCTAssertEqual(offendingByte(Array("{\"a\":\"\t\"}".utf8)), 6)
        XCTAssertEqual(offendingByte(Array(#"{"a":"x"#.utf8)), 7)
        XCTAssertEqual(offendingByte([0x22, 0xE2, 0x82, 0x22]), 3)  // truncated 3-byte sequence
        XCTAssertEqual(offendingByte([0x22, 0xC0, 0x80, 0x22]), 1)  // overlong NUL
        XCTAssertEqual(offendingByte(Array(String(repeating: "[", count: 100).utf8)), 64)
    }
}
