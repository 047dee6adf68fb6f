import Foundation

/// A position in a view: the key of the last row of a page (a case, release, warrant id).
/// Opaque to clients (`CursorToken`, naming the view); stable: rows are
/// ordered by their key, and the next page starts strictly after it, whatever was inserted.
public struct ViewCursor: Sendable, Hashable {
    public var view: String
    public var key: String

    public init(view: String, key: String) {
        self.view = view
        self.key = key
    }

    /// The text clients pass back as `cursor`.
    public var token: String { CursorToken.encode(["v1", view, key]) }

    /// Reads a `cursor` parameter of `view`; nil when it is not one this gateway made for that
    /// view (the request is then a 400).
    public init?(token: String, view: String) {
        guard let fields = CursorToken.decode(token, maxLength: 512), fields.count == 3, fields[0] == "v1", fields[1] == view,
              !fields[2].isEmpty
        else { return nil }
        self.init(view: view, key: fields[2])
    }
}
