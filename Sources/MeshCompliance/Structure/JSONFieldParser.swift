/// Reads the scalar values of a JSON document with their paths (`$.patient.name[0].given[0]`)
/// and, for FHIR resources, what the resource's element means.
///
/// Iterative (an explicit stack), so deeply nested or hostile input cannot exhaust the call
/// stack; stops at the first syntax error and keeps the fields read before it.
enum JSONFieldParser {
    private struct Container {
        var isObject: Bool
        var index = 0
        var expectingKey: Bool
        var key: ArraySlice<UInt8>?
    }

    static func parse(_ text: ScanText, from start: Int) -> DocumentStructure {
        let b = text.bytes
        let n = b.count
        var stack: [Container] = []
        var fields: [StructuredField] = []
        var resourceTypes: [(prefix: String, type: String)] = []
        var error: StructureError?
        var i = start
        var sawValue = false

        // `containerPaths[k]`: where container `k` sits (`$.a.b`), set when it opens, so a
        // scalar's path is its container's plus one segment, not a walk over the whole stack.
        var containerPaths: [String] = []

        /// The current position's segment in the innermost container: `.key` or `[index]`.
        func appendSegment(_ c: Container, to p: inout String) {
            if c.isObject {
                if let k = c.key {
                    p.append(".")
                    p.append(String(decoding: k, as: UTF8.self))
                }
            } else {
                p.append("[")
                p.append(String(c.index))
                p.append("]")
            }
        }

        /// `$.a.b[0]`: each container's current key or index, outermost first.
        func path() -> String {
            guard let top = stack.last, var p = containerPaths.last else { return "$" }
            appendSegment(top, to: &p)
            return p
        }

        func fail(_ at: Int, _ message: String) {
            let (l, c) = StructureError.position(b, at)
            error = StructureError(format: .json, line: l, column: c, field: stack.isEmpty ? nil : path(), message: message)
        }

        func emitScalar(_ s: Int, _ e: Int) {
            sawValue = true
            guard let top = stack.last else { return }
            // The innermost key (an array element takes its array's key) and the last two keys
            // of the enclosing objects (an array element's own key among them), innermost
            // first, found walking out from the top instead of mapping the whole stack.
            var key: ArraySlice<UInt8>?
            var inner: ArraySlice<UInt8>?, outer: ArraySlice<UInt8>?
            var k = stack.count - 1
            while k >= 0 && outer == nil {
                if stack[k].isObject, let name = stack[k].key {
                    if key == nil && top.isObject {
                        key = name
                    } else {
                        if key == nil { key = name }
                        if inner == nil { inner = name } else { outer = name }
                    }
                }
                k -= 1
            }
            let p = path()
            var meaning = key.flatMap { SharedLabelCache.shared.meaning($0) }
            if meaning == nil || meaning == .ambiguousName {
                // `{"patient": {"first": "Jane"}}`: the enclosing keys name whose value it is.
                if let inner {
                    var combined: [UInt8] = []
                    if let outer { combined += outer; combined.append(0x2E) }
                    combined += inner
                    combined.append(0x2E)
                    if let k = key { combined += k }
                    if let m = SharedLabelCache.shared.meaning(combined[...]), m != .ambiguousName || meaning == nil { meaning = m }
                }
            }
            if let k = key, k.elementsEqual("resourceType".utf8), top.isObject {
                let prefix = String(p.dropLast(".resourceType".count))
                resourceTypes.append((prefix, String(decoding: b[s..<e], as: UTF8.self)))
            }
            fields.append(StructuredField(path: p, start: s, end: e, meaning: meaning))
        }

        loop: while i < n {
            let c = b[i]
            if ASCII.isWhitespace(c) { i += 1; continue }
            switch c {
            case 0x7B, 0x5B:  // { [
                if let top = stack.last, top.isObject && top.expectingKey { fail(i, "expected a key"); break loop }
                if stack.count > 512 { fail(i, "nesting deeper than 512 levels"); break loop }
                containerPaths.append(path())
                stack.append(Container(isObject: c == 0x7B, expectingKey: c == 0x7B))
                i += 1
            case 0x7D, 0x5D:  // } ]
                guard let top = stack.last, top.isObject == (c == 0x7D) else { fail(i, "unbalanced '\(Character(Unicode.Scalar(c)))'"); break loop }
                stack.removeLast()
                containerPaths.removeLast()
                sawValue = true
                i += 1
                if stack.isEmpty {
                    // A JSON Lines file holds one document per line; read the next one.
                    var j = i
                    while j < n && ASCII.isWhitespace(b[j]) { j += 1 }
                    if j < n && b[j] != 0x7B && b[j] != 0x5B { fail(j, "unexpected text after the document"); break loop }
                }
            case 0x2C:  // ,
                guard !stack.isEmpty else { fail(i, "',' outside an object or array"); break loop }
                if stack[stack.count - 1].isObject {
                    stack[stack.count - 1].expectingKey = true
                    stack[stack.count - 1].key = nil
                } else {
                    stack[stack.count - 1].index += 1
                }
                i += 1
            case 0x3A:  // :
                guard let top = stack.last, top.isObject, top.key != nil else { fail(i, "':' without a key"); break loop }
                stack[stack.count - 1].expectingKey = false
                i += 1
            case 0x22:  // "
                let s = i + 1
                var j = s
                while j < n && b[j] != 0x22 {
                    if b[j] == 0x5C { j += 1 }
                    if j < n && b[j] == 0x0A { break }
                    j += 1
                }
                guard j < n && b[j] == 0x22 else { fail(i, "unterminated string"); break loop }
                if let top = stack.last, top.isObject && top.expectingKey {
                    stack[stack.count - 1].key = b[s..<j]
                } else {
                    if stack.isEmpty { sawValue = true } else { emitScalar(s, j) }
                }
                i = j + 1
            default:
                // Numbers and literals.
                let s = i
                while i < n && !ASCII.isWhitespace(b[i]) && b[i] != 0x2C && b[i] != 0x7D && b[i] != 0x5D && b[i] != 0x3A { i += 1 }
                let token = b[s..<i]
                let isLiteral = token.elementsEqual("true".utf8) || token.elementsEqual("false".utf8) || token.elementsEqual("null".utf8)
                let isNumber = !token.isEmpty && token.allSatisfy { ASCII.isDigit($0) || $0 == 0x2D || $0 == 0x2B || $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }
                guard isLiteral || isNumber, let top = stack.last, !(top.isObject && top.expectingKey) else {
                    fail(s, "unexpected '\(String(decoding: token.prefix(20), as: UTF8.self))'")
                    break loop
                }
                if isNumber { emitScalar(s, i) }
            }
        }
        var errors: [StructureError] = []
        if let e = error { errors.append(e) } else if !stack.isEmpty {
            let (l, c) = StructureError.position(b, n)
            errors.append(StructureError(format: .json, line: l, column: c, field: path(), message: "document ends inside \(stack.count) open container(s)"))
        } else if !sawValue {
            errors.append(StructureError(format: .json, line: 1, column: 1, message: "no JSON value"))
        }
        AgeElements.mark(&fields, text: b)
        if resourceTypes.isEmpty {
            return DocumentStructure(format: .json, fields: fields, errors: errors)
        }
        return FHIRFields.refine(fields, text: b, resourceTypes: resourceTypes, errors: errors)
    }
}
