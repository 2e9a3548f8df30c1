import XCTest
@testable import MeshCompliance

/// `path=value` of every field of `text` read as `name`.
func fieldsOf(_ text: String, name: String = "a.txt", type: String = "text/plain") -> [String] {
    let t = ScanText(text, name: name, mediaType: type)
    return t.structure.fields.map { "\($0.path)=\(t.string($0.start, $0.end))" }
}

final class KeyValueStructureTests: XCTestCase {
    func testPythonDictLiteralOnOneLine() {
        let fields = fieldsOf("    {'first_name': 'Vinnie', 'last_name': 'Blassingame',\n     'ssn': '287-65-4321', 'dob': '03/04/1961'}\n", name: "a.py")
        XCTAssertEqual(fields, ["first_name=Vinnie", "last_name=Blassingame", "$.ssn=287-65-4321", "dob=03/04/1961"])
    }
}
