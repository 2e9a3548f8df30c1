import Foundation

/// Which proxy, if any, a request to an endpoint goes through, from the conventional
/// environment variables: `HTTPS_PROXY`/`https_proxy` for https, `HTTP_PROXY`/`http_proxy`
/// for http, unless the host matches `NO_PROXY`/`no_proxy` (`*`, a host, or a domain suffix
/// with or without its leading dot).
public struct ProxySelection: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public static func forEndpoint(_ url: URL, environment: [String: String] = ProcessInfo.processInfo.environment) -> ProxySelection? {
        guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        func variable(_ name: String) -> String? {
            let value = environment[name] ?? environment[name.lowercased()]
            return value?.isEmpty == false ? value : nil
        }
        if let noProxy = variable("NO_PROXY"), bypasses(host: host, noProxy: noProxy) { return nil }
        guard let text = variable(scheme == "https" ? "HTTPS_PROXY" : "HTTP_PROXY") else { return nil }
        let proxyURL = URL(string: text.contains("://") ? text : "http://\(text)")
        guard let proxyHost = proxyURL?.host else { return nil }
        return ProxySelection(host: proxyHost, port: proxyURL?.port ?? 8080)
    }

    static func bypasses(host: String, noProxy: String) -> Bool {
        for entry in noProxy.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !entry.isEmpty {
            if entry == "*" { return true }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            let bare = domain.split(separator: ":").first.map(String.init) ?? domain
            if host == bare || host.hasSuffix("." + bare) { return true }
        }
        return false
    }
}
