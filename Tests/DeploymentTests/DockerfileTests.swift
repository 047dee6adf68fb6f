import Foundation
import Testing

@testable import Contracts

/// The image must carry the contracts: they are SwiftPM resources, in a bundle that has to sit
/// beside the binary (`TopicCatalog.embeddedDirectory`), and an image with the binary alone
/// fails at its first command.
@Suite("The Dockerfile builds one image that runs every command")
struct DockerfileTests {
    static let bundle = "\(TopicCatalog.embeddedBundleName).resources"

    @Test("the runtime stage copies the binary and its contracts bundle beside it; the entrypoint is the binary")
    func imageCarriesTheContracts() throws {
        let dockerfile = Dockerfile(text: try readText(dockerfileURL))
        #expect(dockerfile.stages.count >= 2, "a multi-stage build: a Swift toolchain, then a slim runtime")
        #expect(DeploymentChecks.imageProblems(dockerfile, bundle: Self.bundle).isEmpty,
                "\(DeploymentChecks.imageProblems(dockerfile, bundle: Self.bundle))")
        #expect(dockerfile.entrypoint?.count == 1 && dockerfile.entrypoint?.first?.hasSuffix("/reentrybus") == true,
                "ENTRYPOINT \(dockerfile.entrypoint ?? [])")
    }

    @Test("an image without the contracts bundle is caught (the check can fail)")
    func missingBundleIsCaught() throws {
        let text = try readText(dockerfileURL).components(separatedBy: "\n")
            .filter { !($0.hasPrefix("COPY") && $0.contains(Self.bundle)) }.joined(separator: "\n")
        let problems = DeploymentChecks.imageProblems(Dockerfile(text: text), bundle: Self.bundle)
        #expect(problems.count == 1 && problems.first?.contains(Self.bundle) == true, "\(problems)")
    }

    @Test("every REENTRYBUS_ variable the image sets is one the binary reads")
    func imageVariables() throws {
        let runtime = try #require(Dockerfile(text: try readText(dockerfileURL)).stages.last)
        let names = runtime.all("ENV").flatMap { $0.arguments.split(separator: " ") }.compactMap { $0.split(separator: "=").first.map(String.init) }
        #expect(names.contains("REENTRYBUS_DATA_DIR"), "\(names)")
        for name in names where name.hasPrefix(reentryBusVariablePrefix) {
            #expect(agreedEnvironmentVariables.contains(name), "the Dockerfile sets \(name), which the binary does not read")
        }
    }

    @Test("the build stage builds the reentrybus product in release; the runtime installs librdkafka1 and libsqlite3-0")
    func buildAndRuntime() throws {
        let dockerfile = Dockerfile(text: try readText(dockerfileURL))
        let build = try #require(dockerfile.stages.first)
        #expect(build.all("RUN").contains { $0.arguments.contains("swift build -c release --product reentrybus") })
        let runtime = try #require(dockerfile.stages.last)
        let installs = runtime.all("RUN").map(\.arguments).joined(separator: " ")
        for package in ["librdkafka1", "libsqlite3-0", "--no-install-recommends"] {
            #expect(installs.contains(package), "the runtime stage does not install \(package)")
        }
        #expect(runtime.all("USER").last.map { $0.arguments != "root" && $0.arguments != "0" } == true, "the services run as a non-root user")
        let swiftImage = try readText(dockerfileURL).components(separatedBy: "\n").first { $0.hasPrefix("ARG SWIFT_IMAGE=") }
        #expect(swiftImage?.hasPrefix("ARG SWIFT_IMAGE=swift:6") == true, "a Swift 6 build image: \(swiftImage ?? "none")")
    }
}
