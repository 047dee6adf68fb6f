import ArgumentParser
import Foundation
import Notifications
import ServiceKit

/// `reentrybus inbox RECIPIENT`: a recipient's notifications from an inbox database.
struct Inbox: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List a recipient's notifications (from a running `dev` or `serve inbox`, or a data directory).",
        discussion: """
            RECIPIENT is kind:id, kind one of officer, unit, agency, facility, duty, role (officer:PP-KC-118, \
            agency:MO-KCPD, duty:MO-KCPD, role:MO-KCPD/supervisor). Under each URGENT or HIGH notification: \
            who acknowledged it and when, or the `reentrybus ack` command that acknowledges it, and whom \
            it was escalated to.
            """)

    @Argument(help: "The recipient, kind:id, e.g. officer:PP-KC-118 or agency:MO-KCPD.")
    var recipient: String

    @Option(help: "The data directory holding inbox.sqlite.")
    var dataDir = ".reentrybus/dev"

    @Flag(help: "Also print each notification's facts and why it was sent.")
    var details = false

    func validate() throws {
        guard Recipient(recipient) != nil else {
            let kinds = Recipient.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError(
                "The recipient \"\(recipient)\" is not kind:id with a kind among \(kinds) and a non-empty id, e.g. officer:PP-KC-118.")
        }
    }

    func run() throws {
        let path = URL(fileURLWithPath: dataDir).appendingPathComponent("inbox.sqlite").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("There is no inbox database at \(path); pass --data-dir.")
        }
        let recipient = Recipient(self.recipient)!.description
        let database = try ServiceDatabase.openReadOnly(path: path)
        let entries = try database.readBlocking { try InboxEntry.entries(for: recipient, $0) }
        for entry in entries {
            let notification = entry.notification
            print(notification.line)
            for line in entry.statusLines { print(line) }
            guard details else { continue }
            for fact in notification.facts { print("    \(fact.label): \(fact.value)") }
            print("    why: \(notification.reason.rule): \(notification.reason.explanation)")
            print("    matched: " + notification.reason.matched.map { "\($0.name)=\($0.value)" }.joined(separator: ", "))
            print("    id: \(notification.id)")
        }
        if entries.isEmpty { printError("no notifications for \(recipient)") }
    }
}
