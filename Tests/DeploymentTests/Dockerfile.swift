import Foundation

/// A Dockerfile as the deployment tests read it: its stages, each a list of instructions, with
/// comments dropped and `\` continuation lines joined (enough for our own Dockerfile; not a
/// complete parser of the format).
struct Dockerfile {
    struct Instruction: Equatable {
        /// Upper-cased: `FROM`, `RUN`, `COPY`, …
        var keyword: String
        var arguments: String
    }

    struct Stage {
        /// The `AS` name, if any.
        var name: String?
        var instructions: [Instruction]

        func all(_ keyword: String) -> [Instruction] { instructions.filter { $0.keyword == keyword } }
    }

    var stages: [Stage]

    init(text: String) {
        var logical: [String] = []
        var pending = ""
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }  // comments, parser directives included
            if line.hasSuffix("\\") {
                pending += String(line.dropLast()) + " "
                continue
            }
            let joined = (pending + line).trimmingCharacters(in: .whitespaces)
            pending = ""
            if !joined.isEmpty { logical.append(joined) }
        }
        var stages: [Stage] = []
        for line in logical {
            let parts = line.split(separator: " ", maxSplits: 1)
            let instruction = Instruction(keyword: parts[0].uppercased(), arguments: parts.count > 1 ? String(parts[1]) : "")
            if instruction.keyword == "FROM" {
                let words = instruction.arguments.split(separator: " ")
                let name = words.count >= 3 && words[words.count - 2].uppercased() == "AS" ? String(words.last!) : nil
                stages.append(Stage(name: name, instructions: [instruction]))
            } else if !stages.isEmpty {
                stages[stages.count - 1].instructions.append(instruction)
            }
        }
        self.stages = stages
    }

    /// The exec-form `ENTRYPOINT` of the last stage (the image that runs), if it has one.
    var entrypoint: [String]? {
        guard let last = stages.last?.all("ENTRYPOINT").last else { return nil }
        guard let words = try? JSONDecoder().decode([String].self, from: Data(last.arguments.utf8)) else { return nil }
        return words
    }

    /// What the last stage copies from earlier stages: (source, destination) per path.
    var copiedFromStages: [(source: String, destination: String)] {
        guard let last = stages.last else { return [] }
        return last.all("COPY").flatMap { copy -> [(source: String, destination: String)] in
            let words = copy.arguments.split(separator: " ").map(String.init)
            guard words.contains(where: { $0.hasPrefix("--from=") }) else { return [] }
            let paths = words.filter { !$0.hasPrefix("--") }
            guard let destination = paths.last, paths.count >= 2 else { return [] }
            return paths.dropLast().map { (source: $0, destination: destination) }
        }
    }
}
