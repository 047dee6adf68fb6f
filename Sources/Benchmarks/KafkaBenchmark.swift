/// Placeholder replaced below.
public struct KafkaBenchmark {
    public init(messages: Int, latencyMessages: Int, rate: Int, repetitions: Int) {}
    public func run() async throws {}
}
