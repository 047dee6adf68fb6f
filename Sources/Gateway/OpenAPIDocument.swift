import Foundation

/// The gateway's OpenAPI 3.1 document (`Sources/Gateway/Resources/openapi.json`, kept in the
/// repository and copied into the module's bundle), served at `/openapi.json`.
public enum OpenAPIDocument {
    /// The document's bytes.
    ///
    /// - Throws: `OpenAPIDocumentError` when the bundle lacks it (a broken build).
    public static func bytes() throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw OpenAPIDocumentError(reason: "openapi.json is not in the Gateway module's bundle")
        }
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw OpenAPIDocumentError(reason: "openapi.json cannot be read: \(error.localizedDescription)")
        }
    }
}

public struct OpenAPIDocumentError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}
