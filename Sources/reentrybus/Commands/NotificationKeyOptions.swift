import ArgumentParser
import Foundation
import Notifications

/// Where `serve` finds the key that services sign notifications with (and the inbox verifies).
///
/// Services in separate processes must share one key, so `serve` has no default: a file
/// (`--notification-key-file`, readable only by the service's user) or the environment variable
/// `REENTRYBUS_NOTIFICATION_KEY`; hex or base64, at least 32 bytes (`openssl rand -hex 32`).
/// The key is never printed: errors name the file or the variable, not the value.
struct NotificationKeyOptions: ParsableArguments {
    static let environmentVariable = "REENTRYBUS_NOTIFICATION_KEY"

    @Option(help: ArgumentHelp(
        "A file holding the notification signing key (hex or base64, ≥ 32 bytes); else $REENTRYBUS_NOTIFICATION_KEY.",
        valueName: "path"))
    var notificationKeyFile: String?

    @Option(help: ArgumentHelp(
        "A file holding a key the inbox still accepts while services move to a new one (repeatable).", valueName: "path"))
    var previousNotificationKeyFile: [String] = []

    /// The configured key, or a validation error saying how to configure one.
    func signingKey(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NotificationSigningKey {
        if let notificationKeyFile { return try Self.key(fromFile: notificationKeyFile) }
        guard let text = environment[Self.environmentVariable] else {
            throw ValidationError("""
                serve needs the key that services sign notifications with: set \(Self.environmentVariable) \
                or --notification-key-file (hex or base64, at least 32 bytes, the same for every service; \
                e.g. `openssl rand -hex 32`).
                """)
        }
        do {
            return try NotificationSigningKey(text: text)
        } catch {
            throw ValidationError("\(Self.environmentVariable): \(error)")
        }
    }

    func previousKeys() throws -> [NotificationSigningKey] {
        try previousNotificationKeyFile.map { try Self.key(fromFile: $0) }
    }

    private static func key(fromFile path: String) throws -> NotificationSigningKey {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("The notification key file \(path) cannot be read (missing, not readable by this user, or not UTF-8).")
        }
        do {
            return try NotificationSigningKey(text: text)
        } catch {
            throw ValidationError("The notification key file \(path): \(error)")
        }
    }
}
