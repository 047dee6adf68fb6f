/// The gateway's OpenAPI 3.1 document (`Sources/Gateway/Resources/openapi.json`, kept in the
/// repository), served at `/openapi.json`. Embedded in the binary, like the access policy and
/// the UI's templates: the container image ships the executable and the contracts' bundle only,
/// and a resource bundle missing there would stop the gateway at its first start.
public enum OpenAPIDocument {
    /// The document's bytes.
    ///
    /// - Throws: `OpenAPIDocumentError` when the embedded copy is empty (a broken build).
    public static func bytes() throws -> [UInt8] {
        let bytes = PackageResources.openapi_json
        guard !bytes.isEmpty else { throw OpenAPIDocumentError(reason: "the embedded openapi.json is empty") }
        return bytes
    }
}

public struct OpenAPIDocumentError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
