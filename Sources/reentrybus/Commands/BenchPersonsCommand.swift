import ArgumentParser
import Benchmarks

struct BenchPersons: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persons",
        abstract: "Person matching on generated records: precision, recall, review share and time (two sources of N records).")

    @Option(help: "Records per source in the two-source run.")
    var records = 5_000

    @Option(help: "Seed of the generated population.")
    var seed: UInt64 = 1

    @Flag(help: "Also resolve 100,000 records (four sources of 25,000).")
    var large = false

    func validate() throws {
        guard records >= 10 else { throw ValidationError("--records must be at least 10.") }
    }

    func run() throws {
        PersonsBenchmark(recordsPerSource: records, seed: seed, large: large).run()
    }
}
