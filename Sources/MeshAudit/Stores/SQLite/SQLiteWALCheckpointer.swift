import CSQLite
import Foundation

/// Copies the SQLite write-ahead log back into the database file on its own thread, so the
/// appending thread never does it.
///
/// SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold: the
/// committing thread copies every page of the WAL into the database file and fsyncs it. Here
/// the writer connection has that switched off (`wal_autocheckpoint=0`); a WAL hook reports
/// the WAL's size after each commit, and past `thresholdPages` this thread runs
/// `PASSIVE` checkpoints from a second connection while the writer keeps appending.
///
/// A passive checkpoint can only copy what was committed when it started, and SQLite starts
/// writing the WAL from its beginning again only when a write transaction begins with every
/// frame copied. With a busy writer that moment never comes by itself, so once a pass leaves
/// only a little (`finishBelowPages`) uncopied, the last pass runs while holding the store's
/// `writerLock`: no transaction of this process is open, the pass copies the remainder, and
/// the next commit rewrites the WAL from its start (the file is reused, and
/// `journal_size_limit` on the writer trims it back if it grew). The writer waits only for
/// that short last pass.
///
/// Durability is SQLite's own: checkpoints never change what is committed (`synchronous=FULL`
/// still fsyncs the WAL on every commit and the database file after every checkpoint), and a
/// process killed mid-checkpoint leaves a WAL that the next opener replays.
final class SQLiteWALCheckpointer: @unchecked Sendable {
    /// What the thread has done (for tests and diagnostics).
    struct Statistics: Equatable, Sendable {
        /// Checkpoint passes run (passive ones while the writer appends, and final ones).
        var passes = 0
        /// Final passes that copied the whole WAL, so the next commit starts it over.
        var completions = 0
    }

    let thresholdPages: Int
    let finishBelowPages: Int
    private let connection: SQLiteConnection
    private let writerLock: NSLock
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var walPages = 0
    private var copiedPages = 0
    /// Counts the writer's restarts of the WAL (a pass's figures from before one are stale).
    private var generation = 0
    /// `walPages` when the last pass ended: a pass that could not copy everything (a reader
    /// of another process still needs old frames) is not repeated before the next commit.
    private var walPagesAfterLastPass = -1
    /// Whether the writer committed anything (a store only read from leaves the WAL alone).
    private var wrote = false
    private var running = false
    private var stopping = false
    private var stopped = false
    private var statistics = Statistics()

    /// Opens a second connection to `path` for checkpointing. `writerLock` is the lock the
    /// store holds around each write transaction.
    init(path: String, writerLock: NSLock, thresholdPages: Int) throws {
        precondition(thresholdPages > 0, "thresholdPages must be positive")
        self.thresholdPages = thresholdPages
        finishBelowPages = max(1, thresholdPages / 4)
        self.writerLock = writerLock
        connection = try SQLiteConnection(path: path)
        // Checkpoints from this connection fsync the database file (FULL), and it never
        // checkpoints on its own.
        try connection.execute("PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0;")
        Thread.detachNewThread { [self] in self.run() }
    }

    /// Makes `writer` report its WAL size here after each commit instead of checkpointing
    /// itself. Call `detach(from:)` before this object goes away.
    func attach(to writer: SQLiteConnection) {
        sqlite3_wal_hook(writer.handle, { context, _, _, pages in
            guard let context else { return SQLITE_OK }
            Unmanaged<SQLiteWALCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(walPages: Int(pages))
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Stops the thread (after its current pass) and removes the hook from `writer`. If the
    /// writer committed anything, copies what is left of the WAL and truncates it when no
    /// reader is using it. (A store that only read, such as `meshctl audit verify` next to a
    /// running sink, must not hold up that sink's appends with a full checkpoint.)
    func detach(from writer: SQLiteConnection) {
        sqlite3_wal_hook(writer.handle, nil, nil)
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        let truncate = wrote
        condition.unlock()
        guard truncate else { return }
        // A reader of another process may hold the WAL; do not wait long for it (the last
        // connection to close checkpoints again anyway).
        sqlite3_busy_timeout(connection.handle, 200)
        _ = checkpoint(SQLITE_CHECKPOINT_TRUNCATE)
    }

    /// What the thread has done so far.
    var done: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// Waits until the thread has nothing due (tests).
    func waitUntilIdle() {
        condition.lock()
        while running || isDue { condition.wait() }
        condition.unlock()
    }

    /// The WAL hook (the writer's thread, right after a commit, locks released).
    private func committed(walPages pages: Int) {
        condition.lock()
        // A smaller WAL than before means the writer started it over.
        if pages < walPages {
            copiedPages = 0
            generation += 1
        }
        walPages = pages
        wrote = true
        if isDue { condition.broadcast() }
        condition.unlock()
    }

    /// Whether enough uncopied WAL has built up (call with `condition` locked).
    private var isDue: Bool { walPages - copiedPages >= thresholdPages && walPages != walPagesAfterLastPass }

    private func run() {
        condition.lock()
        while true {
            while !isDue && !stopping { condition.wait() }
            if stopping { break }
            running = true
            condition.unlock()
            let completed = catchUp()
            condition.lock()
            running = false
            walPagesAfterLastPass = walPages
            statistics.passes += completed.passes
            if completed.finished { statistics.completions += 1 }
            condition.broadcast()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Passive passes alongside the writer until little is left (at most three), then the last
    /// one with the writer held off.
    private func catchUp() -> (passes: Int, finished: Bool) {
        var passes = 0
        for _ in 0..<3 {
            let pass = checkpoint(SQLITE_CHECKPOINT_PASSIVE)
            passes += 1
            guard let pass, pass.log - pass.copied >= finishBelowPages else { break }
        }
        writerLock.lock()
        let last = checkpoint(SQLITE_CHECKPOINT_PASSIVE)
        writerLock.unlock()
        return (passes + 1, last.map { $0.log == $0.copied } ?? false)
    }

    /// One checkpoint; the WAL's size and how much of it is now in the database file, or nil
    /// when SQLite reported an error (the next pass tries again).
    private func checkpoint(_ mode: Int32) -> (log: Int, copied: Int)? {
        var log: Int32 = 0
        var copied: Int32 = 0
        condition.lock()
        let before = generation
        condition.unlock()
        let code = sqlite3_wal_checkpoint_v2(connection.handle, nil, mode, &log, &copied)
        guard code == SQLITE_OK else { return nil }
        condition.lock()
        if generation == before, copied >= 0 { copiedPages = max(copiedPages, Int(copied)) }
        condition.unlock()
        return (Int(log), Int(copied))
    }
}
