import Contracts
import Foundation

// reentrybus-fuzz: runs fuzz inputs through FuzzHarness (not part of `swift test`).
//
// Built normally, it is its own fuzzer: it mutates the seed corpus (bit flips, byte inserts
// and deletions, splices, JSON and CSV punctuation) with a seeded generator and runs every
// mutant:   reentrybus-fuzz [--runs N] [--seed S] CORPUS_DIR…
// Built by scripts/fuzz with `-sanitize=fuzzer -DLIBFUZZER`, libFuzzer drives it instead
// (coverage-guided); the arguments are libFuzzer's (-runs=N CORPUS_DIR…).

/// The harness libFuzzer's callback uses; set once before the driver starts.
nonisolated(unsafe) var harness: FuzzHarness?

func loadCatalog() -> TopicCatalog {
    if let catalog = try? TopicCatalog.embedded() { return catalog }
    do {
        return try TopicCatalog.load(from: URL(fileURLWithPath: "Topics", isDirectory: true))
    } catch {
        FileHandle.standardError.write(Data("cannot load the contracts: \(error)\n".utf8))
        exit(2)
    }
}

#if LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// libFuzzer's entry point for one input; libFuzzer's own `main` (if the linker pulls it in)
/// refers to it, and the driver below calls the same code.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    harness?.run(UnsafeBufferPointer(start: data, count: size))
    return 0
}

harness = FuzzHarness(catalog: loadCatalog())
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    guard let data else { return 0 }
    harness?.run(UnsafeBufferPointer(start: data, count: size))
    return 0
})
#else
var runs = 1_000_000
var seed: UInt64 = 1
var directories: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--runs": runs = arguments.popFirst().flatMap(Int.init) ?? runs
    case "--seed": seed = arguments.popFirst().flatMap(UInt64.init) ?? seed
    default: directories.append(argument)
    }
}
if directories.isEmpty { directories = ["Fuzz/corpus"] }
var corpus: [[UInt8]] = []
for directory in directories {
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() {
        if let data = FileManager.default.contents(atPath: directory + "/" + name) { corpus.append(Array(data)) }
    }
}
guard !corpus.isEmpty else {
    FileHandle.standardError.write(Data("no seed inputs in \(directories.joined(separator: ", "))\n".utf8))
    exit(2)
}
let target = FuzzHarness(catalog: loadCatalog())
var mutator = Mutator(seed: seed)
let started = ContinuousClock.now
var bytes = 0
for run in 0..<runs {
    var input = corpus[run % corpus.count]
    if run >= corpus.count { mutator.mutate(&input, corpus: corpus) }
    bytes += input.count
    input.withUnsafeBufferPointer { target.run($0) }
    if (run + 1) % 100_000 == 0 {
        print("\(run + 1) inputs, \(ContinuousClock.now - started)")
    }
}
let elapsed = ContinuousClock.now - started
print("done: \(runs) inputs (\(bytes) bytes) in \(elapsed), 0 findings; seed \(seed), \(corpus.count) seed inputs")
#endif
