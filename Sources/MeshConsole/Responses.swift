import Foundation
import HTTPTypes
import Hummingbird

/// Responses with the console's security headers: scripts only from this origin, no framing,
/// no content sniffing, nothing cached (pages show signed decisions and personal sessions).
enum Responses {
    static func headers(_ contentType: String, cookies: [String]) -> HTTPFields {
        var fields: HTTPFields = [
            .contentType: contentType,
            .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
            .xContentTypeOptions: "nosniff",
            .cacheControl: "no-store",
        ]
        for cookie in cookies { fields.append(HTTPField(name: .setCookie, value: cookie)) }
        return fields
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        Response(status: status, headers: headers("text/html; charset=utf-8", cookies: cookies),
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: headers(contentType, cookies: []), body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: headers("application/json", cookies: cookies),
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// JSON already encoded (cached by the feed).
    static func encodedJSON(_ data: Data) -> Response {
        Response(status: .ok, headers: headers("application/json", cookies: []), body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A JSON document built with JSONSerialization (the audit documents `meshctl` prints too).
    static func json(object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers("application/json", cookies: []), body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ error: ConsoleError, cookies: [String] = []) -> Response {
        json(["error": error], status: error.status, cookies: cookies)
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var fields = headers("text/plain", cookies: cookies)
        fields[.location] = location
        return Response(status: .seeOther, headers: fields)
    }
}
