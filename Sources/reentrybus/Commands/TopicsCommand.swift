import ArgumentParser
import ContractTools
import Contracts
import Foundation

/// `reentrybus topics …`: check the contracts in `Topics/`, export their schemas, and apply
/// them to a Kafka cluster.
struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with the topic contracts in Topics/.",
        subcommands: [TopicsValidate.self, TopicsExportSchemas.self, TopicsApply.self, TopicsCheckCompat.self])
}

/// The `--dir` option shared by the `topics` subcommands, `publish`, `dev` and `serve`.
///
/// Without it the contracts built into the program are used (SwiftPM resources copied from
/// `Topics/` at build time), so the binary runs from any folder, without a checkout.
struct ContractsDirectoryOption: ParsableArguments {
    @Option(name: .customLong("dir"), help: "A contracts directory to use instead of the contracts built into the program (e.g. Topics).")
    var directory: String?

    /// The directory given with `--dir`.
    var url: URL? { directory.map { URL(fileURLWithPath: $0, isDirectory: true) } }

    /// Names the contracts in messages: the directory, or "the built-in contracts".
    var label: String { directory ?? "built-in contracts" }

    func validate() throws {
        guard let directory else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("The contracts directory \(directory) does not exist; leave out --dir to use the contracts built into the program.")
        }
    }

    /// Loads the catalog, printing every problem and exiting with failure if there are any.
    func loadCatalog() throws -> TopicCatalog {
        try Self.loadCatalog(from: url, label: label)
    }

    /// Loads the contracts in `url`, or the built-in ones when it is `nil`.
    static func loadCatalog(from url: URL?, label: String) throws -> TopicCatalog {
        do {
            if let url { return try TopicCatalog.load(from: url) }
            return try TopicCatalog.embedded()
        } catch {
            for problem in error.problems { printError("\(label)/\(problem)") }
            printError("the contracts in \(label) have \(error.problems.count) problem(s); run `reentrybus topics validate`")
            throw ExitCode.failure
        }
    }
}

/// Writes a line to standard error (progress and problems; standard output is for results).
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

struct TopicsValidate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check every contract: schemas, examples, keys, classifications, exported files.",
        discussion: """
            Prints one line per problem as FILE: PATH: MESSAGE and exits with status 1 if there is \
            any; otherwise prints a summary. With --dir the exported schemas/ and examples/ are \
            checked too (run it on Topics/ after editing a contract).
            """)

    @OptionGroup var contracts: ContractsDirectoryOption

    func run() async throws {
        let report: ContractCheckReport
        if let url = contracts.url {
            report = TopicCatalog.check(directory: url)
        } else {
            do { report = try TopicCatalog.checkEmbedded() } catch {
                for problem in error.problems { print("\(contracts.label)/\(problem)") }
                throw ExitCode.failure
            }
        }
        for problem in report.problems { print("\(contracts.label)/\(problem)") }
        guard report.isValid else {
            print("\(report.problems.count) problem(s) found")
            throw ExitCode.failure
        }
        print("""
            ok: \(report.topics) topics, \(report.eventVersions) event versions, \
            \(report.validExamples) valid and \(report.invalidExamples) invalid examples (\(contracts.label))
            """)
    }
}

struct TopicsExportSchemas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-schemas",
        abstract: "Regenerate the standalone JSON Schemas and examples (schemas/, examples/).",
        discussion: "Run after editing a contract; `topics validate --dir Topics` fails while they are out of date.")

    // Writes into the directory it reads, so it never uses the built-in copy.
    @Option(name: .customLong("dir"), help: "The contracts directory to export from and into.")
    var directory = "Topics"

    func run() async throws {
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        let catalog = try ContractsDirectoryOption.loadCatalog(from: url, label: directory)
        let changed = try catalog.export(to: url)
        for path in changed { print("wrote \(directory)/\(path)") }
        print(changed.isEmpty ? "exported files are up to date" : "\(changed.count) file(s) changed")
    }
}
