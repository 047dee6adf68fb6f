import HTTPTypes
import Hummingbird

/// Headers every gateway response carries, whatever produced it (an API handler, a problem, a
/// page, Hummingbird's own 404), so no answer depends on its handler remembering them:
/// - `X-Content-Type-Options: nosniff`: a browser takes the declared type at its word and never
///   runs a JSON answer (which may quote text an agency sent) as HTML or script;
/// - `Cache-Control: no-store` when the response sets no caching of its own: almost every
///   answer carries personal data or depends on who asks, and no shared cache, proxy or browser
///   history may keep it. Responses that may be kept say so themselves (the web UI's assets).
///
/// Added outermost by `buildGatewayRouter`, so it also sees the problem details that
/// `ProblemMiddleware` makes of errors.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentTypeOptions: HTTPField.Name { HTTPField.Name("x-content-type-options")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[Self.contentTypeOptions] = "nosniff"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
