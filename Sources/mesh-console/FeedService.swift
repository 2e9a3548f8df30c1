import Logging
import MeshConsole
import ServiceLifecycle

/// Runs the mesh feed inside the console's service group. Listed after the HTTP server, so on
/// SIGTERM it is shut down first: it ends the live streams, which lets the server's drain
/// finish promptly instead of waiting on responses that never end.
struct FeedService: Service {
    let feed: MeshFeed
    let tick: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown { await feed.run(tick: tick, logger: logger) }
        await feed.close()
    }
}
