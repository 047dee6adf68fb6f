import Foundation
import Kafka
import Logging
import Notifications

/// Resolves a `BusConfiguration`: picks each setting's winning layer, parses it, checks the
/// settings against each other, reads the secrets, and records what `config check` prints.
struct ConfigurationResolver {
    /// The Kafka security protocols, as Kafka spells them (`security.protocol`).
    enum SecurityProtocol: String, CaseIterable {
        case plaintext
        case ssl
        case saslPlaintext = "sasl_plaintext"
        case saslSSL = "sasl_ssl"

        var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
        var usesTLS: Bool { self == .ssl || self == .saslSSL }
    }

    static let saslKeys: [ConfigurationKey] = [.saslMechanism, .saslUsername, .saslPassword, .saslPasswordFile]
    static let tlsKeys: [ConfigurationKey] = [.tlsCAFile, .tlsCertificateFile, .tlsKeyFile, .tlsKeyPasswordFile, .tlsVerifyHostname]

    let file: ConfigurationFile?
    let unknownEnvironmentVariables: [String]
    /// Settings a layer gave that the command does not use (`keys`), left at their defaults.
    private(set) var unusedSettings: [UnusedSetting] = []
    /// The winning raw value of each setting that some layer sets.
    private(set) var chosen: [ConfigurationKey: RawSetting] = [:]
    private var printed: [ConfigurationKey: EffectiveSetting] = [:]

    /// Reads the file and picks each setting's winning layer. Only `keys` are resolved: the others
    /// stay at their defaults (and are listed in `unusedSettings` when a layer set them), so a
    /// setting a command does not use cannot stop it. The file is still checked whole (unknown
    /// keys, wrong kinds of value).
    init(flags: ConfigurationFlags, environment: [String: String], keys: Set<ConfigurationKey> = Set(ConfigurationKey.allCases)) throws(ConfigurationError) {
        let path = flags.configurationFile ?? environment[ConfigurationKey.configurationFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let path {
            file = try ConfigurationFile(path: path)
        } else {
            file = nil
        }
        var environmentLayer: [ConfigurationKey: RawSetting] = [:]
        for key in ConfigurationKey.allCases {
            // An empty variable (`VAR=` in a compose file) counts as unset.
            if let name = key.environmentVariable, let value = environment[name], !value.isEmpty {
                environmentLayer[key] = RawSetting(text: value, source: .environment(name))
            }
        }
        let known = Set(ConfigurationKey.environmentVariables)
        unknownEnvironmentVariables = environment.keys.filter { $0.hasPrefix("REENTRYBUS_") && !known.contains($0) }.sorted()
        let layers = [flags.values, environmentLayer, file?.settings ?? [:]]  // highest first
        for key in ConfigurationKey.allCases {
            guard let raw = layers.lazy.compactMap({ $0[key] }).first else { continue }
            if keys.contains(key) {
                chosen[key] = raw
            } else {
                unusedSettings.append(UnusedSetting(key: key, source: raw.source))
            }
        }
        // A secret given inline and as a file: the higher layer wins; in one layer it is ambiguous.
        for (inline, fromFile) in [(ConfigurationKey.saslPassword, ConfigurationKey.saslPasswordFile), (.notificationKey, .notificationKeyFile)] {
            guard let value = chosen[inline], let path = chosen[fromFile] else { continue }
            if value.source.precedence == path.source.precedence {
                throw .conflict(key: inline, source: value.source, reason: "is set together with \(fromFile.name) (\(path.source)); set only one")
            }
            chosen[value.source.precedence > path.source.precedence ? fromFile : inline] = nil
        }
    }

    mutating func resolve() throws(ConfigurationError) -> BusConfiguration {
        let bootstrapServers = try parseBootstrap()
        let groupPrefix = try parseGroupPrefix()
        let sessionTimeout = try seconds(.sessionTimeout, default: BusConfiguration.Defaults.sessionTimeout, within: 1...3_600)
        let connectTimeout = try seconds(.connectTimeout, default: BusConfiguration.Defaults.connectTimeout, within: 0.001...3_600)
        let security = try parseSecurity()
        let dataDirectory = try plainText(.dataDirectory, default: BusConfiguration.Defaults.dataDirectory)
        let database = try parseDatabase()
        let logLevel = try parseLogLevel()
        let logFormat = try parseLogFormat()
        let metricsListen = try parseMetricsListen()
        let shutdownDeadline = try seconds(.shutdownDeadline, default: BusConfiguration.Defaults.shutdownDeadline, within: 0.001...86_400)
        let notificationKey = try parseNotificationKey()
        let feedOperators = try parseFeedOperators()
        let gateway = try parseGateway()
        let personsPopulation = try parsePersonsPopulation()
        let personsLearning = try parsePersonsLearning()
        let (personsLinkThreshold, personsReviewThreshold) = try parsePersonsThresholds()
        return BusConfiguration(
            configurationFile: file?.path, bootstrapServers: bootstrapServers, security: security, groupPrefix: groupPrefix,
            sessionTimeout: sessionTimeout, connectTimeout: connectTimeout, shutdownDeadline: shutdownDeadline,
            dataDirectory: dataDirectory, database: database, logLevel: logLevel, logFormat: logFormat,
            metricsListen: metricsListen, notificationKey: notificationKey, feedOperators: feedOperators, gateway: gateway,
            personsPopulation: personsPopulation, personsLearning: personsLearning,
            personsLinkThreshold: personsLinkThreshold, personsReviewThreshold: personsReviewThreshold,
            settings: ConfigurationKey.allCases.map { printed[$0] ?? EffectiveSetting(key: $0, printedValue: EffectiveSetting.notSet, source: .defaultValue) },
            unknownEnvironmentVariables: unknownEnvironmentVariables, unusedSettings: unusedSettings)
    }

    // MARK: - Values

    private mutating func record(_ key: ConfigurationKey, _ printedValue: String, _ source: ConfigurationSource) {
        printed[key] = EffectiveSetting(key: key, printedValue: printedValue, source: source)
    }

    private func source(_ key: ConfigurationKey) -> ConfigurationSource { chosen[key]?.source ?? .defaultValue }

    private mutating func parseBootstrap() throws(ConfigurationError) -> [String] {
        guard let raw = chosen[.bootstrap] else {
            record(.bootstrap, BusConfiguration.Defaults.bootstrapServers.joined(separator: ","), .defaultValue)
            return BusConfiguration.Defaults.bootstrapServers
        }
        let entries = raw.text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for (index, entry) in entries.enumerated() {
            do {
                _ = try ListenAddress(parsing: entry)
            } catch {
                let which = entries.count == 1 ? "" : " (entry \(index + 1) of \(entries.count))"
                throw .invalidValue(key: .bootstrap, source: raw.source, reason: "must be HOST:PORT[,HOST:PORT…]; the value\(which) \(error)")
            }
        }
        record(.bootstrap, entries.joined(separator: ","), raw.source)
        return entries
    }

    private mutating func parseGroupPrefix() throws(ConfigurationError) -> String {
        let prefix = try plainText(.groupPrefix, default: BusConfiguration.Defaults.groupPrefix)
        guard prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw .invalidValue(key: .groupPrefix, source: source(.groupPrefix), reason: "must be ASCII letters, digits, '.', '_' or '-'")
        }
        return prefix
    }

    /// Who the feeds service tells of a silent feed: a recipient `kind:id` of the notifications
    /// contract (`unit:BUS-OPERATIONS`, `role:OPS/on-call`, …).
    private mutating func parseFeedOperators() throws(ConfigurationError) -> Recipient {
        let text = try plainText(.feedOperators, default: BusConfiguration.Defaults.feedOperators.description)
        guard let recipient = Recipient(text), !recipient.id.contains(where: \.isWhitespace), recipient.id.count <= 80 else {
            let kinds = Recipient.Kind.allCases.map(\.rawValue).joined(separator: "|")
            throw .invalidValue(key: .feedOperators, source: source(.feedOperators), reason: "must be a recipient \(kinds):ID, such as unit:BUS-OPERATIONS")
        }
        return recipient
    }

    /// A whole number of people, written with or without `_` or `,` between its digits
    /// (`250000`, `250_000`, `250,000`).
    private mutating func parsePersonsPopulation() throws(ConfigurationError) -> Int {
        let range = 100...1_000_000_000
        guard let raw = chosen[.personsPopulation] else {
            record(.personsPopulation, String(BusConfiguration.Defaults.personsPopulation), .defaultValue)
            return BusConfiguration.Defaults.personsPopulation
        }
        let text = raw.text.trimmingCharacters(in: .whitespaces)
        let digits = text.filter { $0 != "_" && $0 != "," }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits), range.contains(value) else {
            throw .invalidValue(
                key: .personsPopulation, source: raw.source,
                reason: "must be a whole number of people from 100 to 1,000,000,000 (about how many the agencies' records describe), such as 250000")
        }
        record(.personsPopulation, String(value), raw.source)
        return value
    }

    /// Two probabilities, each above 0 and below 1, the review threshold below the link one.
    private mutating func parsePersonsThresholds() throws(ConfigurationError) -> (link: Double, review: Double) {
        func probability(_ key: ConfigurationKey, default value: Double, _ meaning: String) throws(ConfigurationError) -> Double {
            guard let raw = chosen[key] else {
                record(key, String(value), .defaultValue)
                return value
            }
            let text = raw.text.trimmingCharacters(in: .whitespaces)
            guard let parsed = Double(text), parsed.isFinite, parsed > 0, parsed < 1 else {
                throw .invalidValue(key: key, source: raw.source, reason: "must be a probability above 0 and below 1 (\(meaning)), such as \(value)")
            }
            record(key, text, raw.source)
            return parsed
        }
        let link = try probability(
            .personsLinkThreshold, default: BusConfiguration.Defaults.personsLinkThreshold, "the match probability from which two records are linked")
        let review = try probability(
            .personsReviewThreshold, default: BusConfiguration.Defaults.personsReviewThreshold,
            "the match probability from which a pair not linked waits for review")
        guard review < link else {
            throw .conflict(
                key: .personsReviewThreshold, source: source(.personsReviewThreshold),
                reason: "must be below persons.link-threshold (\(link), \(source(.personsLinkThreshold))): a pair is linked, or reviewed, or left apart")
        }
        return (link, review)
    }

    /// `on` or `off` (also `true` or `false`).
    private mutating func parsePersonsLearning() throws(ConfigurationError) -> Bool {
        guard let raw = chosen[.personsLearning] else {
            record(.personsLearning, BusConfiguration.Defaults.personsLearning ? "on" : "off", .defaultValue)
            return BusConfiguration.Defaults.personsLearning
        }
        let value: Bool
        switch raw.text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "on", "true": value = true
        case "off", "false": value = false
        default:
            throw .invalidValue(
                key: .personsLearning, source: raw.source,
                reason: "must be on (the index learns its model from its records) or off (it keeps the built-in model)")
        }
        record(.personsLearning, value ? "on" : "off", raw.source)
        return value
    }

    private mutating func parseGateway() throws(ConfigurationError) -> BusConfiguration.GatewaySettings {
        let listenText = try plainText(.gatewayListen, default: BusConfiguration.Defaults.gatewayListen)
        let listen: ListenAddress
        do {
            listen = try ListenAddress(parsing: listenText)
        } catch {
            throw .invalidValue(key: .gatewayListen, source: source(.gatewayListen), reason: "must be HOST:PORT, such as 0.0.0.0:8080; the value \(error)")
        }
        var jwksFile: String?
        if let raw = chosen[.gatewayJWKSFile] {
            let path = raw.text.trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty else { throw .invalidValue(key: .gatewayJWKSFile, source: raw.source, reason: "must not be empty") }
            record(.gatewayJWKSFile, path, raw.source)
            jwksFile = path
        }
        let issuer = try plainText(.gatewayIssuer, default: BusConfiguration.Defaults.gatewayIssuer)
        let audience = try plainText(.gatewayAudience, default: BusConfiguration.Defaults.gatewayAudience)
        var rate = BusConfiguration.Defaults.gatewayRate
        if let raw = chosen[.gatewayRate] {
            guard let value = Double(raw.text.trimmingCharacters(in: .whitespaces)), value.isFinite, value > 0, value <= 1_000_000 else {
                throw .invalidValue(key: .gatewayRate, source: raw.source, reason: "must be a number of events per second from more than 0 to 1,000,000, such as 200")
            }
            rate = value
            record(.gatewayRate, raw.text.trimmingCharacters(in: .whitespaces), raw.source)
        } else {
            record(.gatewayRate, "200", .defaultValue)
        }
        var webhooksAllow: [String] = []
        if let raw = chosen[.gatewayWebhooksAllow] {
            webhooksAllow = raw.text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !webhooksAllow.contains(where: \.isEmpty) else {
                throw .invalidValue(key: .gatewayWebhooksAllow, source: raw.source, reason: "must list CIDR ranges or host names, such as 10.20.0.0/16,hooks.internal.example, with no empty entry")
            }
            record(.gatewayWebhooksAllow, webhooksAllow.joined(separator: ","), raw.source)
        } else {
            record(.gatewayWebhooksAllow, "none (public addresses only)", .defaultValue)
        }
        var formKey: GatewayFormKey?
        if let raw = chosen[.gatewayFormKeyFile] {
            let text = try readFile(.gatewayFormKeyFile, raw)
            do {
                formKey = try GatewayFormKey(text: text.revealed)
            } catch {
                throw .unreadableReferencedFile(
                    key: .gatewayFormKeyFile, source: raw.source, path: raw.text.trimmingCharacters(in: .whitespaces), reason: "\(error)")
            }
            record(.gatewayFormKeyFile, raw.text.trimmingCharacters(in: .whitespaces), raw.source)
        } else {
            record(.gatewayFormKeyFile, "none (a random key per process: forms are bound to the process that made them)", .defaultValue)
        }
        var maxRevokedTokens = BusConfiguration.Defaults.gatewayMaxRevokedTokens
        if let raw = chosen[.gatewayMaxRevokedTokens] {
            guard let value = Int(raw.text.trimmingCharacters(in: .whitespaces)), (1...10_000_000).contains(value) else {
                throw .invalidValue(key: .gatewayMaxRevokedTokens, source: raw.source, reason: "must be a whole number from 1 to 10,000,000, such as 100000")
            }
            maxRevokedTokens = value
            record(.gatewayMaxRevokedTokens, String(value), raw.source)
        } else {
            record(.gatewayMaxRevokedTokens, String(maxRevokedTokens), .defaultValue)
        }
        return BusConfiguration.GatewaySettings(
            listen: listen, jwksFile: jwksFile, issuer: issuer, audience: audience, ratePerAgency: rate, webhooksAllow: webhooksAllow,
            formKey: formKey, maxRevokedTokens: maxRevokedTokens)
    }

    /// A non-empty text setting, printed as it is.
    private mutating func plainText(_ key: ConfigurationKey, default defaultValue: String) throws(ConfigurationError) -> String {
        guard let raw = chosen[key] else {
            record(key, defaultValue, .defaultValue)
            return defaultValue
        }
        let text = raw.text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw .invalidValue(key: key, source: raw.source, reason: "must not be empty") }
        record(key, text, raw.source)
        return text
    }

    /// A duration given as a number of seconds (`45`, `0.5`).
    private mutating func seconds(
        _ key: ConfigurationKey, default defaultValue: Duration, within range: ClosedRange<Double>
    ) throws(ConfigurationError) -> Duration {
        guard let raw = chosen[key] else {
            record(key, Self.format(seconds: defaultValue), .defaultValue)
            return defaultValue
        }
        guard let value = Double(raw.text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw .invalidValue(key: key, source: raw.source, reason: "must be a number of seconds, such as 30")
        }
        guard range.contains(value) else {
            let lower = range.lowerBound < 1 ? "more than 0" : "at least \(Self.format(range.lowerBound))"
            throw .invalidValue(key: key, source: raw.source, reason: "must be \(lower) and at most \(Self.format(range.upperBound)) seconds")
        }
        let duration = Duration.milliseconds(Int64((value * 1_000).rounded()))
        record(key, Self.format(seconds: duration), raw.source)
        return duration
    }

    private mutating func parseLogLevel() throws(ConfigurationError) -> Logger.Level {
        guard let raw = chosen[.logLevel] else {
            record(.logLevel, BusConfiguration.Defaults.logLevel.rawValue, .defaultValue)
            return BusConfiguration.Defaults.logLevel
        }
        guard let level = Logger.Level(rawValue: raw.text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw .invalidValue(key: .logLevel, source: raw.source, reason: "must be trace, debug, info, notice, warning, error or critical")
        }
        record(.logLevel, level.rawValue, raw.source)
        return level
    }

    private mutating func parseLogFormat() throws(ConfigurationError) -> LogFormat {
        guard let raw = chosen[.logFormat] else {
            record(.logFormat, BusConfiguration.Defaults.logFormat.rawValue, .defaultValue)
            return BusConfiguration.Defaults.logFormat
        }
        guard let format = LogFormat(rawValue: raw.text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw .invalidValue(key: .logFormat, source: raw.source, reason: "must be text or json")
        }
        record(.logFormat, format.rawValue, raw.source)
        return format
    }

    private mutating func parseMetricsListen() throws(ConfigurationError) -> ListenAddress? {
        guard let raw = chosen[.metricsListen] else { return nil }
        do {
            let address = try ListenAddress(parsing: raw.text)
            record(.metricsListen, address.description, raw.source)
            return address
        } catch {
            throw .invalidValue(key: .metricsListen, source: raw.source, reason: "must be HOST:PORT, such as 0.0.0.0:9464; the value \(error)")
        }
    }

    private mutating func parseDatabase() throws(ConfigurationError) -> DatabaseChoice {
        let passwordFile = chosen[.databasePasswordFile]
        guard let raw = chosen[.database] else {
            if let passwordFile {
                throw .invalidValue(key: .databasePasswordFile, source: passwordFile.source, reason: "is set, but database is not a postgres:// URL")
            }
            record(.database, DatabaseChoice.sqlite(directory: nil).description, .defaultValue)
            return .sqlite(directory: nil)
        }
        let choice: DatabaseChoice
        do {
            choice = try DatabaseChoice(parsing: raw.text.trimmingCharacters(in: .whitespaces))
        } catch {
            throw .invalidValue(key: .database, source: raw.source, reason: error.description)
        }
        guard case .postgres(let url, _) = choice else {
            if let passwordFile {
                throw .invalidValue(key: .databasePasswordFile, source: passwordFile.source, reason: "is set, but database is not a postgres:// URL")
            }
            record(.database, choice.description, raw.source)
            return choice
        }
        if url.hasPassword, case .file = raw.source {
            throw .invalidValue(
                key: .database, source: raw.source,
                reason: "holds a password, and secrets stay out of the configuration file: give it in "
                    + "\(ConfigurationKey.databasePasswordFile.name) or in \(ConfigurationKey.database.environmentVariable ?? "the environment") instead")
        }
        record(.database, url.description, raw.source)
        guard let passwordFile else { return choice }
        if url.hasPassword {
            throw .conflict(key: .database, source: raw.source, reason: "holds a password and \(ConfigurationKey.databasePasswordFile.name) is set too (\(passwordFile.source)); set only one")
        }
        let password = try readFile(.databasePasswordFile, passwordFile)
        record(.databasePasswordFile, passwordFile.text, passwordFile.source)
        return .postgres(url, password: password)
    }

    private mutating func parseNotificationKey() throws(ConfigurationError) -> NotificationSigningKey? {
        if let raw = chosen[.notificationKey] {
            do {
                let key = try NotificationSigningKey(text: raw.text)
                record(.notificationKey, "\(Secret.mask) (id \(key.id))", raw.source)
                return key
            } catch {
                throw .invalidValue(key: .notificationKey, source: raw.source, reason: "\(error)")
            }
        }
        guard let raw = chosen[.notificationKeyFile] else { return nil }
        let text = try readFile(.notificationKeyFile, raw)
        do {
            let key = try NotificationSigningKey(text: text.revealed)
            record(.notificationKeyFile, "\(raw.text) (id \(key.id))", raw.source)
            return key
        } catch {
            throw .unreadableReferencedFile(key: .notificationKeyFile, source: raw.source, path: raw.text, reason: "\(error)")
        }
    }

    // MARK: - Security

    private mutating func parseSecurity() throws(ConfigurationError) -> KafkaSecurity {
        let protocolSource = source(.securityProtocol)
        var securityProtocol = SecurityProtocol.plaintext
        if let raw = chosen[.securityProtocol] {
            guard let parsed = SecurityProtocol(rawValue: raw.text.trimmingCharacters(in: .whitespaces).lowercased()) else {
                throw .invalidValue(key: .securityProtocol, source: raw.source, reason: "must be plaintext, ssl, sasl_plaintext or sasl_ssl")
            }
            securityProtocol = parsed
        }
        record(.securityProtocol, securityProtocol.rawValue, protocolSource)
        let because = "\(ConfigurationKey.securityProtocol.name) is \(securityProtocol.rawValue) (\(protocolSource))"
        if !securityProtocol.usesSASL, let key = Self.saslKeys.first(where: { chosen[$0] != nil }) {
            throw .conflict(key: key, source: source(key), reason: "is set, but \(because): SASL settings need sasl_plaintext or sasl_ssl")
        }
        if !securityProtocol.usesTLS, let key = Self.tlsKeys.first(where: { chosen[$0] != nil }) {
            throw .conflict(key: key, source: source(key), reason: "is set, but \(because): TLS settings need ssl or sasl_ssl")
        }
        var tls: KafkaSecurity.TLS?
        if securityProtocol.usesTLS { tls = try parseTLS() }
        guard securityProtocol.usesSASL else { return tls.map(KafkaSecurity.tls) ?? .plaintext }
        let sasl = try parseSASL(because: because, protocolSource: protocolSource, securityProtocol: securityProtocol)
        return .sasl(sasl, tls: tls)
    }

    private mutating func parseSASL(
        because: String, protocolSource: ConfigurationSource, securityProtocol: SecurityProtocol
    ) throws(ConfigurationError) -> KafkaSecurity.SASL {
        guard let rawMechanism = chosen[.saslMechanism] else {
            throw .missingSetting(key: .saslMechanism, reason: "\(because) needs one: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", file: file?.path)
        }
        guard let mechanism = KafkaSecurity.SASL.Mechanism(rawValue: rawMechanism.text.trimmingCharacters(in: .whitespaces).uppercased()) else {
            throw .invalidValue(key: .saslMechanism, source: rawMechanism.source, reason: "must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
        }
        record(.saslMechanism, mechanism.rawValue, rawMechanism.source)
        guard chosen[.saslUsername] != nil else {
            throw .missingSetting(key: .saslUsername, reason: "\(because) needs the SASL user name", file: file?.path)
        }
        let username = try plainText(.saslUsername, default: "")
        let password: Secret
        if let raw = chosen[.saslPassword] {
            password = Secret(raw.text)
            record(.saslPassword, Secret.mask, raw.source)
        } else if let raw = chosen[.saslPasswordFile] {
            password = try readFile(.saslPasswordFile, raw)
            record(.saslPasswordFile, raw.text, raw.source)
        } else {
            throw .missingSecret(
                key: .saslPassword, requiredBy: "\(ConfigurationKey.securityProtocol.name) \(securityProtocol.rawValue)",
                requiredBySource: protocolSource, file: file?.path)
        }
        return KafkaSecurity.SASL(mechanism: mechanism, username: username, password: password.revealed)
    }

    private mutating func parseTLS() throws(ConfigurationError) -> KafkaSecurity.TLS {
        var tls = KafkaSecurity.TLS()
        tls.caLocation = try readablePath(.tlsCAFile)
        tls.certificateLocation = try readablePath(.tlsCertificateFile)
        tls.keyLocation = try readablePath(.tlsKeyFile)
        if tls.certificateLocation != nil, tls.keyLocation == nil {
            throw .missingSetting(key: .tlsKeyFile, reason: "\(ConfigurationKey.tlsCertificateFile.name) is set (\(source(.tlsCertificateFile))) and a client certificate needs its key", file: file?.path)
        }
        if tls.keyLocation != nil, tls.certificateLocation == nil {
            throw .missingSetting(key: .tlsCertificateFile, reason: "\(ConfigurationKey.tlsKeyFile.name) is set (\(source(.tlsKeyFile))) and a client key needs its certificate", file: file?.path)
        }
        if let raw = chosen[.tlsKeyPasswordFile] {
            guard tls.keyLocation != nil else {
                throw .conflict(key: .tlsKeyPasswordFile, source: raw.source, reason: "is set, but \(ConfigurationKey.tlsKeyFile.name) is not: there is no key to decrypt")
            }
            tls.keyPassword = try readFile(.tlsKeyPasswordFile, raw).revealed
            record(.tlsKeyPasswordFile, raw.text, raw.source)
        } else if let keyPath = tls.keyLocation, Self.isEncryptedKey(atPath: keyPath) {
            throw .missingSecret(key: .tlsKeyPasswordFile, requiredBy: "\(ConfigurationKey.tlsKeyFile.name) (an encrypted key)", requiredBySource: source(.tlsKeyFile), file: file?.path)
        }
        if let raw = chosen[.tlsVerifyHostname] {
            switch raw.text.trimmingCharacters(in: .whitespaces).lowercased() {
            case "true": tls.verifyHostname = true
            case "false": tls.verifyHostname = false
            default: throw .invalidValue(key: .tlsVerifyHostname, source: raw.source, reason: "must be true or false")
            }
            record(.tlsVerifyHostname, String(tls.verifyHostname), raw.source)
        } else {
            record(.tlsVerifyHostname, "true", .defaultValue)
        }
        return tls
    }

    /// The path a setting names, checked to be a readable file.
    private mutating func readablePath(_ key: ConfigurationKey) throws(ConfigurationError) -> String? {
        guard let raw = chosen[key] else { return nil }
        let path = raw.text.trimmingCharacters(in: .whitespaces)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isReadableFile(atPath: path)
        else {
            throw .unreadableReferencedFile(key: key, source: raw.source, path: path, reason: "cannot be read (missing, a directory, or not readable by this user)")
        }
        record(key, path, raw.source)
        return path
    }

    /// A secret kept in a file of its own: its content without the final line break.
    private func readFile(_ key: ConfigurationKey, _ raw: RawSetting) throws(ConfigurationError) -> Secret {
        let path = raw.text.trimmingCharacters(in: .whitespaces)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadableReferencedFile(key: key, source: raw.source, path: path, reason: "cannot be read (missing, or not readable by this user)")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw .unreadableReferencedFile(key: key, source: raw.source, path: path, reason: "is not UTF-8 text")
        }
        while let last = text.last, last.isNewline { text.removeLast() }
        guard !text.isEmpty else {
            throw .unreadableReferencedFile(key: key, source: raw.source, path: path, reason: "is empty")
        }
        return Secret(text)
    }

    /// Whether a PEM private key is encrypted (PKCS#8 `ENCRYPTED PRIVATE KEY`, or a legacy
    /// `Proc-Type: 4,ENCRYPTED` header), so that it needs a password.
    static func isEncryptedKey(atPath path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        let text = String(decoding: data, as: UTF8.self)
        return text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || text.contains("Proc-Type: 4,ENCRYPTED")
    }

    // MARK: - Printing

    static func format(seconds duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1_000 == 0 ? String(milliseconds / 1_000) : String(Double(milliseconds) / 1_000)
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value ? String(Int64(value)) : String(value)
    }
}
