/// The fastest a sealed-envelope path with the measured sealing and opening stages could run
/// on this machine, worked out from figures measured in the same run, so a missed ratio target
/// can be told apart from one that no Kafka layer could meet here.
///
/// An envelope path does at least what librdkafka alone does with records of the same size and
/// the same CloudEvents headers, plus building, sealing and opening each envelope. So its rate
/// is bounded twice:
/// - by that bare librdkafka path's own measured rate (same broker, window and record shape);
/// - by the machine's cores over the least CPU a record can cost: the bare path's process CPU
///   per record (broker threads included, as the embedded broker shares the cores) plus each
///   envelope stage's single-thread CPU. Those stages are timed in a tight loop with warm
///   caches, so this floor is optimistic and the ceiling errs high.
public struct EnvelopeCeiling: Codable, Sendable, Equatable {
    public var cores: Int
    /// Process CPU µs per record of bare librdkafka with envelope-sized values and headers.
    public var bareCPUMicrosPerRecord: Double
    /// `bareCPUMicrosPerRecord` plus the envelope stages' single-thread CPU µs per record.
    public var minimumCPUMicrosPerRecord: Double
    /// `cores` fully busy at `minimumCPUMicrosPerRecord`.
    public var cpuBoundPerSecond: Double
    /// The lower of the CPU bound and the bare librdkafka path's measured rate.
    public var perSecond: Double
    /// `perSecond` over the raw baseline's rate: the best ratio reachable here.
    public var ratio: Double

    /// `stageMicros` are the per-record CPU µs of the stages the envelope path adds (each
    /// counted once, not the sums of others); `rawPerSecond` is the raw baseline's rate.
    public init(
        cores: Int, bareRecordsPerSecond: Double, bareCPUMicrosPerRecord: Double, stageMicros: [Double], rawPerSecond: Double
    ) {
        precondition(cores > 0 && rawPerSecond > 0)
        self.cores = cores
        self.bareCPUMicrosPerRecord = bareCPUMicrosPerRecord
        minimumCPUMicrosPerRecord = bareCPUMicrosPerRecord + stageMicros.reduce(0, +)
        cpuBoundPerSecond = Double(cores) * 1e6 / minimumCPUMicrosPerRecord
        perSecond = min(cpuBoundPerSecond, bareRecordsPerSecond)
        ratio = perSecond / rawPerSecond
    }
}
