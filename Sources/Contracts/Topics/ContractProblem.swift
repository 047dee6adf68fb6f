/// One thing wrong with a contract: the file, the place in it, and what is wrong.
///
/// `topics validate` prints these one a line as `file: path: message`, so whoever edits a
/// contract can go straight to the spot. Contracts hold no personal data beyond made-up
/// examples, so messages may quote values.
public struct ContractProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// File name relative to the contracts directory, e.g. `custody.releases.yaml`.
    public var file: String
    /// Where in the file, as a JSON path into the document, e.g. `$.events[0].payload`.
    public var path: String
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }

    public var description: String { "\(file): \(path): \(message)" }
}

/// Loading the contracts failed; every problem found is listed.
public struct ContractLoadingError: Error, Sendable, CustomStringConvertible {
    public var problems: [ContractProblem]

    public init(problems: [ContractProblem]) {
        self.problems = problems
    }

    public var description: String {
        "\(problems.count) problem(s) in the topic contracts:\n" + problems.map(\.description).joined(separator: "\n")
    }
}
