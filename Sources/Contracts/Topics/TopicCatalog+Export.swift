import Foundation

extension TopicCatalog {
    /// The generated files, by path relative to the contracts directory:
    /// `schemas/<type>.v<version>.schema.json` (standalone JSON Schema documents that any
    /// draft 2020-12 validator loads) and `examples/<type>.v<version>.json` (complete valid
    /// example events). They are committed so partners need nothing but a JSON Schema tool.
    public var exportedFiles: [String: String] {
        var files: [String: String] = [:]
        for topic in topics {
            for event in topic.events {
                if let document = schemaDocuments[event.qualifiedName] {
                    files["\(Layout.schemasDirectory)/\(event.qualifiedName).schema.json"] = document.prettyPrinted
                }
                files["\(Layout.examplesDirectory)/\(event.qualifiedName).json"] = JSONValue.array(event.validExamples).prettyPrinted
            }
        }
        return files
    }

    /// Writes ``exportedFiles`` below `directory`, removing generated files that no contract
    /// produces any more. Returns the paths written or removed.
    @discardableResult
    public func export(to directory: URL) throws -> [String] {
        let fileManager = FileManager.default
        var changed: [String] = []
        let files = exportedFiles
        for generated in [Layout.schemasDirectory, Layout.examplesDirectory] {
            let folder = directory.appendingPathComponent(generated)
            try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
            for name in try fileManager.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".json") {
                let relative = "\(generated)/\(name)"
                if files[relative] == nil {
                    try fileManager.removeItem(at: folder.appendingPathComponent(name))
                    changed.append(relative)
                }
            }
        }
        for (relative, content) in files.sorted(by: { $0.key < $1.key }) {
            let url = directory.appendingPathComponent(relative)
            if (try? String(contentsOf: url, encoding: .utf8)) == content { continue }
            try Data(content.utf8).write(to: url, options: .atomic)
            changed.append(relative)
        }
        return changed
    }

    /// Generated files that are missing, differ from what the contracts produce, or are left
    /// over from a removed event version.
    func staleExports(in directory: URL) -> [ContractProblem] {
        let fix = "out of date with the contracts; run `reentrybus topics export-schemas`"
        var problems: [ContractProblem] = []
        let files = exportedFiles
        for (relative, content) in files.sorted(by: { $0.key < $1.key }) {
            let onDisk = try? String(contentsOf: directory.appendingPathComponent(relative), encoding: .utf8)
            if onDisk != content {
                problems.append(ContractProblem(file: relative, path: "$", message: onDisk == nil ? "missing; run `reentrybus topics export-schemas`" : fix))
            }
        }
        for generated in [Layout.schemasDirectory, Layout.examplesDirectory] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(generated).path)) ?? []
            for name in names.sorted() where name.hasSuffix(".json") && files["\(generated)/\(name)"] == nil {
                problems.append(ContractProblem(file: "\(generated)/\(name)", path: "$", message: "no contract generates this file; " + fix))
            }
        }
        return problems
    }
}
