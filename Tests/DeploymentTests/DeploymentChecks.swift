import Foundation
import Pipeline

/// The checks on paper of the deployment files, each returning what it found wrong (empty: all
/// good), so the tests can run them on the real files and on broken copies alike.
enum DeploymentChecks {
    /// The services `reentrybus serve` knows that no compose service runs as `serve <name>`.
    static func unservedServices(_ compose: ComposeFile) -> [String] {
        ServiceName.allCases.map(\.rawValue).filter { compose.services(running: ["serve", $0]).isEmpty }
    }

    /// `service: NAME` for each `REENTRYBUS_*` variable a service sets that the binary does not read.
    static func unknownVariables(_ compose: ComposeFile, known: Set<String>) -> [String] {
        compose.services.values.flatMap { service in
            service.environment.keys
                .filter { $0.hasPrefix(reentryBusVariablePrefix) && !known.contains($0) }
                .map { "\(service.name): \($0)" }
        }.sorted()
    }

    /// Secrets written into the file instead of read from compose secrets: a variable named like a
    /// secret (…PASSWORD, …KEY, …SECRET, …TOKEN) that is not a `…_FILE`; a `…_FILE` under
    /// `/run/secrets/` naming a secret the service does not mount or the file does not declare; a
    /// declared secret read from outside `deploy/secrets/`, the folder git ignores.
    static func secretProblems(_ compose: ComposeFile) -> [String] {
        var problems: [String] = []
        let secretLike = ["PASSWORD", "KEY", "SECRET", "TOKEN"]
        for service in compose.services.values.sorted(by: { $0.name < $1.name }) {
            for (name, value) in service.environment.sorted(by: { $0.key < $1.key }) {
                if secretLike.contains(where: { name.hasSuffix($0) }) {
                    problems.append("\(service.name): \(name) holds a secret in the file; use \(name)_FILE and a compose secret")
                }
                guard name.hasSuffix("_FILE"), value.hasPrefix("/run/secrets/") else { continue }
                let secret = String(value.dropFirst("/run/secrets/".count))
                if !service.secrets.contains(secret) {
                    problems.append("\(service.name): \(name) reads the secret \(secret), which the service does not mount")
                }
                if compose.secretFiles[secret] == nil {
                    problems.append("\(service.name): \(name) reads the secret \(secret), which the file does not declare")
                }
            }
        }
        for (secret, file) in compose.secretFiles.sorted(by: { $0.key < $1.key })
        where !(file.hasPrefix("./deploy/secrets/") || file.hasPrefix("deploy/secrets/")) {
            problems.append("secret \(secret) is read from \(file), outside the git-ignored deploy/secrets/")
        }
        return problems
    }

    /// What keeps the image from running: no exec-form entrypoint, or the contracts' resource
    /// bundle `bundle` not copied into the last stage beside the binary the entrypoint runs.
    static func imageProblems(_ dockerfile: Dockerfile, bundle: String) -> [String] {
        guard let binary = dockerfile.entrypoint?.first else {
            return ["the last stage has no exec-form ENTRYPOINT (the binary)"]
        }
        let folder = (binary as NSString).deletingLastPathComponent
        let copies = dockerfile.copiedFromStages
        var problems: [String] = []
        if !copies.contains(where: { $0.destination == binary }) {
            problems.append("the last stage does not copy \(binary) from the build stage")
        }
        let bundleCopied = copies.contains { copy in
            (copy.source as NSString).lastPathComponent == bundle
                && [folder + "/" + bundle, folder + "/"].contains(copy.destination)
        }
        if !bundleCopied {
            problems.append("the last stage does not copy \(bundle) into \(folder)/ beside the binary: the contracts would be missing")
        }
        return problems
    }
}
