import ArgumentParser
import Benchmarks
import Foundation
import PersonIndex
import PersonIndexStore
import SyntheticPersons

struct BenchPersons: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "persons",
        abstract: "Person matching on generated records: precision, recall, review share and time (two sources of N records), beside Splink.",
        discussion: """
            The peer runs scripts/persons-peer.py in a Python environment the benchmark makes on \
            first use (pinned Splink with DuckDB from PyPI) on the same records, with a comparable \
            model at our thresholds; both sides are scored the same way, and the ratios are our \
            F1 ÷ Splink's and Splink's time ÷ ours, measured in the same run.
            """)

    @Option(help: "Records per source in the two-source run.")
    var records = 5_000

    @Option(help: "Seed of the generated population.")
    var seed: UInt64 = 1

    @Flag(help: "Also resolve 100,000 records (four sources of 25,000).")
    var large = false

    @Flag(help: "Measure our side only (no Splink, no ratios).")
    var noPeer = false

    @Flag(help: "Also say why the true pairs left apart were missed: per reason, and their commonest comparison vectors.")
    var explain = false

    @Option(help: "Match probability at or above which a pair is linked (ours and the peer's).")
    var linkThreshold = ResolverConfiguration().linkThreshold

    @Option(help: "Match probability at or above which a pair not linked goes to review (ours and the peer's).")
    var reviewThreshold = ResolverConfiguration().reviewThreshold

    @Option(help: "Share of persons (0–1) living at one of a few addresses many unrelated persons give (shelters, halfway houses); 0, the benchmark's figures, by default.")
    var sharedAddress = 0.0

    @Option(help: "With --shared-address: over how many such addresses they are spread.")
    var sharedAddresses = SyntheticPopulation.Noise().sharedAddressCount

    @Option(help: "Share of records (0–1) whose street line says no address (\"HOMELESS\", \"UNKNOWN\", \"NFA\", …), city and postal code kept; 0, the benchmark's figures, by default.")
    var placeholderAddress = 0.0

    @Flag(help: "Weigh an agreement on the address by the model's u alone, not by how many records give that address (for comparison).")
    var noAddressFrequencies = false

    @Flag(help: "Also add the same records to the person index's store one at a time, as the running service does, and print its figures (`….store.*`).")
    var store = false

    @Flag(help: "With --store: keep the built-in m and u instead of learning them from the records as the service does (for comparison).")
    var noStoreLearning = false

    @Flag(help: "With --store: weigh an exact name agreement by the model's u alone, not by how common the name is among the records added (for comparison).")
    var noStoreNameFrequencies = false

    @Flag(help: "With --store: give the store each record in a call of its own, as the service gives it each event's records.")
    var storeOnePerCall = false

    @Option(help: "With --store: where the store keeps the records: sqlite (in memory) or postgres (a fresh database of a private PostgreSQL 15 cluster the benchmark starts from Debian's binaries, $PG_BIN or /usr/lib/postgresql/15/bin; skipped, saying why, without them).")
    var storeDatabase = PersonsBenchmark.StoreDatabase.sqlite

    @Option(help: "With --store: the records added when the store first learns (then at each doubling).")
    var storeLearnsAfter = PersonIndexStore.ModelLearning().firstAfter

    @Option(help: "The peer's script.")
    var peerScript = "scripts/persons-peer.py"

    @Option(help: "The peer's Python environment, made on first use.")
    var peerEnvironment = ".build/persons-peer-venv"

    func validate() throws {
        guard records >= 10 else { throw ValidationError("--records must be at least 10.") }
        if storeDatabase != .sqlite, !store { throw ValidationError("--store-database needs --store.") }
        if !(0...1).contains(sharedAddress) { throw ValidationError("--shared-address must be a share between 0 and 1.") }
        if !(0...1).contains(placeholderAddress) { throw ValidationError("--placeholder-address must be a share between 0 and 1.") }
        if sharedAddresses < 1 { throw ValidationError("--shared-addresses must be at least 1.") }
        if let problem = resolverConfiguration.problems.first { throw ValidationError(problem) }
    }

    private var resolverConfiguration: ResolverConfiguration {
        var configuration = ResolverConfiguration()
        configuration.linkThreshold = linkThreshold
        configuration.reviewThreshold = reviewThreshold
        configuration.addressFrequencyAdjustment = !noAddressFrequencies
        return configuration
    }

    func run() async throws {
        let script = URL(fileURLWithPath: peerScript)
        if !noPeer, !FileManager.default.fileExists(atPath: script.path) {
            throw ValidationError("the peer's script is not at \(script.path): pass --peer-script or --no-peer")
        }
        var benchmark = PersonsBenchmark(
            recordsPerSource: records, seed: seed, large: large,
            peer: noPeer ? nil : PersonsPeer(script: script, environment: URL(fileURLWithPath: peerEnvironment, isDirectory: true)),
            explain: explain, configuration: resolverConfiguration, store: store,
            storeLearning: noStoreLearning ? .off : PersonIndexStore.ModelLearning(firstAfter: storeLearnsAfter),
            storeNameFrequencies: !noStoreNameFrequencies, storeOnePerCall: storeOnePerCall)
        benchmark.storeDatabase = storeDatabase
        benchmark.noise.sharedAddress = sharedAddress
        benchmark.noise.sharedAddressCount = sharedAddresses
        benchmark.noise.placeholderAddress = placeholderAddress
        await benchmark.run()
    }
}

extension PersonsBenchmark.StoreDatabase: ExpressibleByArgument {}
