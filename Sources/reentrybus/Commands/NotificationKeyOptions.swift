import ArgumentParser
import Settings
import Foundation
import Notifications

/// Where `serve` finds the key that services sign notifications with (and the inbox verifies).
///
/// Services in separate processes must share one key, so `serve` has no default: a file
/// (`--notification-key-file`, `notification-key-file` in the configuration file or
/// `$REENTRYBUS_NOTIFICATION_KEY_FILE`, readable only by the service's user) or the
/// environment variable `REENTRYBUS_NOTIFICATION_KEY`; hex or base64, at least 32 bytes
/// (`openssl rand -hex 32`). The key is never printed: errors name the file or the variable,
/// not the value. `BusConfiguration` reads and checks it.
struct NotificationKeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "A file holding the notification signing key (hex or base64, ≥ 32 bytes); else $REENTRYBUS_NOTIFICATION_KEY(_FILE) or the configuration file.",
        valueName: "path"))
    var notificationKeyFile: String?

    @Option(help: ArgumentHelp(
        "A file holding a key the inbox still accepts while services move to a new one (repeatable).", valueName: "path"))
    var previousNotificationKeyFile: [String] = []

    /// Sets the flags' layer of the configuration.
    func apply(to flags: inout ConfigurationFlags) {
        flags.set(.notificationKeyFile, notificationKeyFile, flag: "--notification-key-file")
    }

    /// The configured key, or a validation error saying how to configure one (exit status 64).
    func signingKey(_ configuration: BusConfiguration) throws -> NotificationSigningKey {
        do {
            return try configuration.requireNotificationKey()
        } catch {
            printError("reentrybus: \(error), or pass --notification-key-file")
            throw ExitCode.validationFailure
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
