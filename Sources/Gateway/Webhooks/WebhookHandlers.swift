import Contracts
import Foundation
import Hummingbird
import Storage

/// `POST/GET/DELETE /v1/webhooks` and an endpoint's dead letters: the caller's agency's
/// endpoints only, for the roles that run an agency's systems (`integrator`, `admin`).
struct WebhookHandlers: Sendable {
    let gateway: Gateway
    var handlers: GatewayHandlers { GatewayHandlers(gateway: gateway) }

    static let managingRoles: Set<Role> = [.integrator, .admin]

    func manager(_ request: Request) async throws(Problem) -> Caller {
        let caller = try await handlers.authenticate(request)
        guard !caller.roles.isDisjoint(with: Self.managingRoles) else {
            throw Problem.forbidden("Webhooks are managed by an agency's integrator or admin.")
        }
        return caller
    }

    /// Registers an endpoint; the answer shows its secret, the only time it is shown.
    func register(_ request: Request, context: some RequestContext) async throws -> Response {
        var caller = try await manager(request)
        // The endpoint outlives the token it was registered with.
        caller.expiresAt = nil
        guard GatewayHandlers.mediaType(request) == "application/json" else { throw Problem.unsupportedMediaType(expected: "application/json") }
        let body = try await GatewayHandlers.body(of: request, limit: 16 * 1024)
        let endpoint = try Self.endpoint(in: body, registrant: caller, at: gateway.now())
        try await checkDestination(endpoint.url)
        do {
            try await gateway.database.write { try WebhookStore.add(endpoint, cursor: nil, $0) }
        } catch {
            gateway.logger.error("Webhook not stored", metadata: ["error-type": "\(type(of: error))"])
            throw Problem.unavailable("The webhook was not stored; retry.")
        }
        gateway.logger.info("Webhook registered", metadata: ["endpoint": "\(endpoint.id)", "agency": "\(endpoint.agencyId)"])
        var document = Self.document(endpoint, pending: 0, deadLetters: 0)
        if case .object(var members) = document {
            members["secret"] = .string(endpoint.secret)
            document = .object(members)
        }
        var response = GatewayHandlers.json(.created, document)
        response.headers[.location] = "/v1/webhooks/\(endpoint.id)"
        return response
    }

    /// `{"url": …, "eventTypes": […], "rules": […]}`, each checked and named when wrong.
    static func endpoint(in body: [UInt8], registrant: Caller, at now: Date) throws(Problem) -> WebhookEndpoint {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: body, limits: JSONDecodingLimits(maxDocumentBytes: 16 * 1024, maxNestingDepth: 4))
        } catch {
            throw Problem.badRequest("The body is not one JSON object.", violations: [.init(path: "$", keyword: "json", message: "\(error)")])
        }
        guard case .object(let members) = document else {
            throw Problem.badRequest("The body must be a JSON object.", violations: [.init(path: "$", keyword: "type", message: "an object")])
        }
        if let extra = Set(members.keys).subtracting(["url", "eventTypes", "rules"]).sorted().first {
            throw Problem.badRequest("\(extra) is not a field of a webhook.", violations: [.init(path: "$.\(extra)", keyword: "additionalProperties", message: "not allowed")])
        }
        guard case .string(let text)? = members["url"] else {
            throw Problem.badRequest("url is required.", violations: [.init(path: "$.url", keyword: "required", message: "a URL string")])
        }
        do throws(WebhookRegistrationError) {
            let url = try WebhookRegistration.url(text)
            let eventTypes = try WebhookRegistration.filter(try strings(members["eventTypes"], field: "eventTypes"), field: "eventTypes")
            let rules = try WebhookRegistration.filter(try strings(members["rules"], field: "rules"), field: "rules")
            return WebhookEndpoint(agencyId: registrant.agencyId, url: url, eventTypes: eventTypes, rules: rules, registrant: registrant, createdAt: now)
        } catch {
            throw Problem.badRequest("\(error.field) \(error.reason).", violations: [.init(path: "$.\(error.field)", keyword: "format", message: error.reason)])
        }
    }

    /// Refuses a URL whose host is, or resolves only to, addresses the operator does not allow
    /// (`WebhookDestinationPolicy`); a 400 naming `url` and why. Deliveries check again, against
    /// what the name resolves to then.
    func checkDestination(_ url: URL) async throws(Problem) {
        let webhooks = gateway.configuration.push.webhooks
        do throws(WebhookDestinationRefusal) {
            _ = try await WebhookDestination.check(url, policy: webhooks.destinations, resolver: webhooks.resolver)
        } catch {
            throw Problem.badRequest("url \(error.reason).", violations: [.init(path: "$.url", keyword: "format", message: error.reason)])
        }
    }

    static func strings(_ value: JSONValue?, field: String) throws(WebhookRegistrationError) -> [String] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw WebhookRegistrationError(field: field, reason: "must be an array of strings") }
        var strings: [String] = []
        for item in items {
            guard case .string(let string) = item else { throw WebhookRegistrationError(field: field, reason: "must be an array of strings") }
            strings.append(string)
        }
        return strings
    }

    /// The caller's agency's endpoints, without their secrets.
    func list(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await manager(request)
        let agency = caller.agencyId
        let rows: [(WebhookEndpoint, Int, Int)]
        do {
            rows = try await gateway.database.read { transaction in
                try WebhookStore.endpoints(of: agency, transaction).map { stored in
                    (stored.endpoint, try WebhookStore.pending(for: stored.endpoint.id, transaction).count,
                     try WebhookStore.deadLetters(of: stored.endpoint.id, transaction).count)
                }
            }
        } catch {
            throw Problem.unavailable("The webhooks cannot be read right now.")
        }
        return GatewayHandlers.json(.ok, .object(["items": .array(rows.map { Self.document($0.0, pending: $0.1, deadLetters: $0.2) })]))
    }

    func remove(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await manager(request)
        let id = try Self.id(context)
        let agency = caller.agencyId
        let removed: Bool
        do {
            removed = try await gateway.database.write { try WebhookStore.remove(id, of: agency, $0) }
        } catch {
            throw Problem.unavailable("The webhook was not removed; retry.")
        }
        guard removed else { throw Problem.notFound }
        gateway.logger.info("Webhook removed", metadata: ["endpoint": "\(id)", "agency": "\(agency)"])
        return Response(status: .noContent)
    }

    /// The deliveries given up on, with the last status and reason (ids only: no personal data).
    func deadLetters(_ request: Request, context: some RequestContext) async throws -> Response {
        let caller = try await manager(request)
        let id = try Self.id(context)
        let agency = caller.agencyId
        let letters: [WebhookStore.DeadLetter]?
        do {
            letters = try await gateway.database.read { transaction -> [WebhookStore.DeadLetter]? in
                guard let stored = try WebhookStore.endpoint(id, transaction), stored.endpoint.agencyId == agency else { return nil }
                return try WebhookStore.deadLetters(of: id, transaction)
            }
        } catch {
            throw Problem.unavailable("The dead letters cannot be read right now.")
        }
        guard let letters else { throw Problem.notFound }
        return GatewayHandlers.json(.ok, .object(["items": .array(letters.map(Self.document))]))
    }

    /// A lowercase UUID from the path; anything else is the same 404 as another agency's.
    static func id(_ context: some RequestContext) throws(Problem) -> String {
        guard let raw = context.parameters.get("id"), raw.utf8.count == 36, UUID(uuidString: raw) != nil else { throw Problem.notFound }
        return raw.lowercased()
    }

    static func document(_ endpoint: WebhookEndpoint, pending: Int, deadLetters: Int) -> JSONValue {
        .object([
            "id": .string(endpoint.id), "url": .string(endpoint.url.absoluteString),
            "eventTypes": .array(endpoint.eventTypes.map(JSONValue.string)), "rules": .array(endpoint.rules.map(JSONValue.string)),
            "registeredBy": .string(endpoint.registrant.subject), "createdAt": .string(EventCodec.formatInstant(endpoint.createdAt)),
            "pending": .number(JSONNumber(pending)), "deadLetters": .number(JSONNumber(deadLetters)),
        ])
    }

    static func document(_ letter: WebhookStore.DeadLetter) -> JSONValue {
        .object([
            "notificationId": .string(letter.notificationId), "attempts": .number(JSONNumber(letter.attempts)),
            "lastStatus": letter.lastStatus.map { .number(JSONNumber($0)) } ?? .null, "lastReason": .string(letter.lastReason),
            "deadAt": .string(EventCodec.formatInstant(Date(timeIntervalSince1970: Double(letter.deadAtMilliseconds) / 1_000))),
        ])
    }
}
