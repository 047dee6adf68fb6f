import ArgumentParser
import Contracts
import Foundation
import Placeholders
import Subscriptions

/// `reentrybus subscriptions …`: explicit subscriptions on `bus.subscriptions`.
struct SubscriptionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscriptions",
        abstract: "Add, list, renew and cancel explicit subscriptions (bus.subscriptions).",
        discussion: """
            A subscription tells an officer, a unit or an agency of chosen kinds of events about a \
            person, a place or another agency's feed, for a stated purpose on a stated legal basis, \
            for at most one year (renew it before it expires). The commands read the agency \
            directory (reference.agencies) and the subscriptions (bus.subscriptions) in full from \
            the cluster, check the change, and publish the subscription's whole new state with an \
            idempotent producer. Bad input exits with status 64 and names the field; a cluster \
            that cannot be reached exits with status 1.
            """,
        subcommands: [SubscriptionsAdd.self, SubscriptionsList.self, SubscriptionsRenew.self, SubscriptionsCancel.self])
}

/// `reentrybus subscriptions add`: a new subscription, checked against the rules and the
/// agency directory, then published; prints its id.
struct SubscriptionsAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a subscription; prints its id.",
        discussion: """
            Follow exactly one subject: a person (--state-id and/or --fbi-number), a place \
            (--place with --state), a county (--county with --state) or an agency's feed \
            (--agency-feed). Refused, naming the field: no purpose, no legal basis (other needs \
            --basis-text), an expiry in the past or more than one year after the start, a \
            subscriber's agency or a followed agency that is not in the agency directory, \
            criminal_intelligence for an agency that is not a law-enforcement authority.
            """)

    @Option(help: ArgumentHelp("Who is told, kind:id: officer:PP-KC-118, unit:MO-KCPD-VCU or agency:MO-KCPD.", valueName: "kind:id"))
    var subscriber: String

    @Option(help: ArgumentHelp("The agency the officer or unit belongs to (for agency:X, X).", valueName: "agency-id"))
    var agency: String?

    @Option(help: ArgumentHelp("Follow the person with this state ID.", valueName: "sid"))
    var stateId: String?

    @Option(help: ArgumentHelp("Follow the person with this FBI number.", valueName: "number"))
    var fbiNumber: String?

    @Option(help: ArgumentHelp("Follow this city or town (with --state).", valueName: "name"))
    var place: String?

    @Option(help: ArgumentHelp("Follow this county, as the agency directory names counties, e.g. Jackson (with --state).", valueName: "name"))
    var county: String?

    @Option(help: ArgumentHelp("The two-letter state of --place or --county.", valueName: "code"))
    var state: String?

    @Option(help: ArgumentHelp("Follow what this agency publishes.", valueName: "agency-id"))
    var agencyFeed: String?

    @Option(
        name: .customLong("events"), parsing: .singleValue,
        help: ArgumentHelp(
            "Kinds of events, comma-separated or repeated: \(SubscriptionEventKind.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "kinds"))
    var events: [String] = []

    @Option(help: ArgumentHelp("Why the subscriber needs to know.", valueName: "text"))
    var purpose: String?

    @Option(help: ArgumentHelp(
        "What entitles the subscriber: \(SubscriptionLegalBasis.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "basis"))
    var legalBasis: String?

    @Option(help: ArgumentHelp("The statute, order, agreement or case the basis rests on, e.g. \"RSMo 217.690\".", valueName: "text"))
    var citation: String?

    @Option(help: ArgumentHelp("The basis in words (required with --legal-basis other).", valueName: "text"))
    var basisText: String?

    @Option(help: ArgumentHelp("From when it routes, YYYY-MM-DD (00:00 UTC) or RFC 3339, not before now (default: now).", valueName: "time"))
    var starts: String?

    @Option(help: ArgumentHelp(
        "When it expires, YYYY-MM-DD (00:00 UTC) or RFC 3339 (default and latest: one year after the start).", valueName: "time"))
    var until: String?

    @Option(help: ArgumentHelp("Who creates it: officer:ID or operator:ID.", valueName: "kind:id"))
    var by: String

    @OptionGroup var bus: SubscriptionsBusOptions

    func validate() throws {
        _ = try subject()
        _ = try eventKinds()
        _ = try basis()
        if let starts { _ = try parseMoment(starts, option: "--starts") }
        if let until { _ = try parseMoment(until, option: "--until") }
    }

    func run() async throws {
        let moment = Date()
        let request = SubscriptionRequest(
            subscriber: subscriber, subscriberAgencyId: agency, subject: try subject(), eventKinds: try eventKinds(), purpose: purpose,
            legalBasis: try basis(), startsAt: try starts.map { try parseMoment($0, option: "--starts") },
            expiresAt: try until.map { try parseMoment($0, option: "--until") }, createdBy: by)
        let bus = try bus.connect("add")
        let id = UUID()
        try await reportingFailures("add") {
            // What needs no directory is refused before the cluster is contacted.
            do { _ = try SubscriptionRules.draft(request, id: id, at: moment) } catch { throw SubscriptionsFailure.badInput("refused: \(error)") }
            let directory = try await bus.directory()
            let subscription: Subscription
            do {
                subscription = try SubscriptionRules(moment: moment, directory: directory).admit(request, id: id)
            } catch {
                throw SubscriptionsFailure.badInput("refused: \(error)")
            }
            // The rules found the agency in the directory; its kind completes the envelope's source.
            guard let agency = directory.agency(subscription.subscriberAgencyId) else {
                throw SubscriptionsFailure.badInput("refused: subscriberAgencyId: \(subscription.subscriberAgencyId) is not in the agency directory")
            }
            let receipt = try await bus.publish(
                subscription, source: SourceAgency(agencyId: agency.agencyId, agencyKind: agency.kind), at: moment)
            print(subscription.id)
            printError(
                "subscription \(subscription.id) added for \(subscription.subscriber) until \(EventCodec.formatInstant(subscription.expiresAt)) "
                    + "(\(receipt.topic)[\(receipt.partition)]@\(receipt.offset.rawValue))")
        }
    }

    /// Exactly one subject, from the subject options.
    func subject() throws -> Subscription.Subject {
        var subjects: [Subscription.Subject] = []
        // "UNKNOWN" or zeros would follow no one (every reader takes them as no number).
        for (option, value) in [("--state-id", stateId), ("--fbi-number", fbiNumber)] {
            if let value, PersonNumberPlaceholder.isPlaceholder(value) {
                throw ValidationError("subject: \(option) \(PersonNumberPlaceholder.meaning): give the person's number.")
            }
        }
        if stateId != nil || fbiNumber != nil { subjects.append(.person(stateId: stateId, fbiNumber: fbiNumber)) }
        if let place { subjects.append(.place(state: try requiredState("--place"), place: place)) }
        if let county { subjects.append(.county(state: try requiredState("--county"), county: county)) }
        if let agencyFeed { subjects.append(.agencyFeed(agencyId: agencyFeed)) }
        guard subjects.count == 1 else {
            let given = subjects.isEmpty ? "none was" : "\(subjects.count) were"
            throw ValidationError(
                "subject: give exactly one of a person (--state-id, --fbi-number), --place, --county or --agency-feed; \(given) given.")
        }
        if state != nil, place == nil, county == nil { throw ValidationError("subject: --state goes with --place or --county.") }
        return subjects[0]
    }

    private func requiredState(_ option: String) throws -> String {
        guard let state else { throw ValidationError("subject: \(option) needs --state (two letters, e.g. MO).") }
        return state.uppercased()
    }

    /// The kinds of events; unknown ones are refused with the list of known ones.
    func eventKinds() throws -> [SubscriptionEventKind] {
        let names = events.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let known = SubscriptionEventKind.allCases.map(\.rawValue).joined(separator: ", ")
        guard !names.isEmpty else { throw ValidationError("eventKinds: give --events, one or more of \(known).") }
        return try names.map { name in
            guard let kind = SubscriptionEventKind(rawValue: name) else {
                throw ValidationError("eventKinds: \(name) is not a kind of event; the kinds are \(known).")
            }
            return kind
        }
    }

    /// The legal basis; nil when none was given (the rules refuse it, naming the field).
    func basis() throws -> LegalBasis? {
        guard let legalBasis else {
            if citation != nil || basisText != nil { throw ValidationError("legalBasis: --citation and --basis-text go with --legal-basis.") }
            return nil
        }
        guard let code = SubscriptionLegalBasis(rawValue: legalBasis) else {
            let bases = SubscriptionLegalBasis.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("legalBasis.basis: \(legalBasis) is not a legal basis; the bases are \(bases).")
        }
        return LegalBasis(basis: code, citation: citation, text: basisText)
    }
}
