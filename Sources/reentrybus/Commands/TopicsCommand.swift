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

/// The `--dir` option shared by the `topics` subcommands and `publish`.
struct ContractsDirectoryOption: ParsableArguments {
    @Option(name: .customLong("dir"), help: "The contracts directory.")
    var directory = "Topics"

    var url: URL { URL(fileURLWithPath: directory, isDirectory: true) }

    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("The contracts directory \(directory) does not exist; pass --dir.")
        }
    }

    /// Loads the catalog, printing every problem and exiting with failure if there are any.
    func loadCatalog() throws -> TopicCatalog {
        do {
            return try TopicCatalog.load(from: url)
        } catch {
            for problem in error.problems { printError("\(directory)/\(problem)") }
            printError("the contracts in \(directory) have \(error.problems.count) problem(s); run `reentrybus topics validate`")
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
            any; otherwise prints a summary.
            """)

    @OptionGroup var contracts: ContractsDirectoryOption

    func run() async throws {
        let report = TopicCatalog.check(directory: contracts.url)
        for problem in report.problems { print("\(contracts.directory)/\(problem)") }
        guard report.isValid else {
            print("\(report.problems.count) problem(s) found")
            throw ExitCode.failure
        }
        print("""
            ok: \(report.topics) topics, \(report.eventVersions) event versions, \
            \(report.validExamples) valid and \(report.invalidExamples) invalid examples
            """)
    }
}

struct TopicsExportSchemas: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-schemas",
        abstract: "Regenerate the standalone JSON Schemas and examples (schemas/, examples/).",
        discussion: "Run after editing a contract; `topics validate` fails while they are out of date.")

    @OptionGroup var contracts: ContractsDirectoryOption

    func run() async throws {
        let catalog = try contracts.loadCatalog()
        let changed = try catalog.export(to: contracts.url)
        for path in changed { print("wrote \(contracts.directory)/\(path)") }
        print(changed.isEmpty ? "exported files are up to date" : "\(changed.count) file(s) changed")
    }
}
