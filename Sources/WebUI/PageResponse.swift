import Foundation
import HTTPTypes
import Hummingbird

/// How pages go out: HTML that is never cached and may load only this origin's stylesheet and
/// script (a value that escaped the templates' escaping still could not run), redirects after
/// a form (303, so a reload does not post again), and the static assets.
enum PageResponse {
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func html(_ status: HTTPResponse.Status, _ text: String, cookies: [Cookie] = []) -> Response {
        var response = Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: contentSecurityPolicy, HTTPField.Name("x-content-type-options")!: "nosniff",
                HTTPField.Name("referrer-policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    static func redirect(to location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    static func asset(_ bytes: [UInt8], type: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: type, .cacheControl: "max-age=300", HTTPField.Name("x-content-type-options")!: "nosniff"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
