import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server for probes and scrapes (`/livez`, `/readyz`, `/metrics`): one
/// thread, one short request at a time, `Connection: close`. Enough for a kubelet and a
/// Prometheus server; it serves nothing else, so it needs no web framework.
public final class HealthServer: @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: String

        public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: String) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }
    }

    public let port: Int
    private let socket: Int32
    private let thread: Thread
    private let stopped = StopFlag()

    /// Listens on all interfaces at `port` (0 picks a free port; read ``port``).
    public init(port: Int, route: @escaping @Sendable (String) -> Response) throws {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HealthServerError.socket(errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr = in_addr(s_addr: INADDR_ANY)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let code = errno
            close(fd)
            throw HealthServerError.bind(port: port, errno: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        socket = fd
        let stopped = self.stopped
        thread = Thread {
            while !stopped.isSet {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                HealthServer.serve(client, route: route)
            }
        }
        thread.name = "agentmesh.health"
        thread.start()
    }

    deinit {
        stop()
    }

    public func stop() {
        guard stopped.set() else { return }
        shutdown(socket, Int32(SHUT_RDWR))
        close(socket)
    }

    private static func serve(_ client: Int32, route: (String) -> Response) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(client, &buffer, buffer.count, 0)
        guard count > 0 else { return }
        let requestLine = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = requestLine.split(separator: " ")
        let response: Response
        if parts.count >= 2, parts[0] == "GET" {
            response = route(String(parts[1].split(separator: "?").first ?? ""))
        } else {
            response = Response(status: 405, body: "only GET\n")
        }
        let body = Array(response.body.utf8)
        let head = "HTTP/1.1 \(response.status) \(reason(response.status))\r\nContent-Type: \(response.contentType)\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + body
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            sent += written
        }
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

public enum HealthServerError: Error, CustomStringConvertible {
    case socket(Int32)
    case bind(port: Int, errno: Int32)

    public var description: String {
        switch self {
        case .socket(let code): "cannot open the health socket: \(String(cString: strerror(code)))"
        case .bind(let port, let code):
            "cannot listen on health port \(port): \(String(cString: strerror(code))); pass --health-port (0 picks a free port)"
        }
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }

    /// Sets the flag; returns `false` if it was already set.
    func set() -> Bool {
        lock.withLock {
            defer { value = true }
            return !value
        }
    }
}
