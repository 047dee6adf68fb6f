import Hummingbird

extension GatewayHandlers {
    /// The read-model views' routes: `GET` each of `ViewEndpoint.all` (`/v1/views/…`) and
    /// `POST /v1/persons/lookup` and (deprecated) `GET /v1/persons/{identifier}`; `POST
    /// /v1/views/safety-check` (its GET, with the address in the query, is deprecated).
    func addViewRoutes(to router: Router<BasicRequestContext>) {
        for endpoint in ViewEndpoint.all {
            router.get(RouterPath(endpoint.path)) { request, context in try await self.view(endpoint, request, context: context) }
        }
        router.get("/v1/persons/{identifier}") { request, context in try await self.person(request, context: context) }
        router.post("/v1/views/safety-check") { request, context in try await self.safetyCheckLookup(request, context: context) }
        router.post("/v1/persons/lookup") { request, context in try await self.personLookup(request, context: context) }
    }
}
