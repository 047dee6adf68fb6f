import Hummingbird

/// The endpoint's routes, shared by `ObservabilityService` and the tests (which drive it
/// without a socket):
/// - `GET /metrics`: every metric of `export`, Prometheus text format.
/// - `GET /health/live`: 200 while the process answers at all.
/// - `GET /health/ready`: 200 when `readiness` reports nothing pending, else 503 naming what
///   is not ready.
///
/// Anything else is 404. Bodies are plain text and carry no data of the bus.
public func buildObservabilityRouter(export: MetricsExport, readiness: ReadinessCheck) -> Router<BasicRequestContext> {
    let router = Router()
    router.get("/metrics") { _, _ -> Response in
        Response(
            status: .ok, headers: [.contentType: MetricsExport.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: export.render())))
    }
    router.get("/health/live") { _, _ -> Response in
        plainText(.ok, "live\n")
    }
    router.get("/health/ready") { _, _ -> Response in
        let pending = readiness.pending()
        guard pending.isEmpty else {
            return plainText(.serviceUnavailable, "not ready: \(pending.joined(separator: ", "))\n")
        }
        return plainText(.ok, "ready\n")
    }
    return router
}

private func plainText(_ status: HTTPResponse.Status, _ text: String) -> Response {
    Response(
        status: status, headers: [.contentType: "text/plain; charset=utf-8"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}
