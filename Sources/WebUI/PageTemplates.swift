import Mustache

/// The pages' Mustache templates, built into the code (`Resources/*.mustache`). `{{name}}`
/// escapes HTML (`<`, `>`, `&`, `"`, `'`) scalar by scalar (`ScalarHTMLEscaping`), so every
/// value from an event or a token is shown as text; the only unescaped insertion is the layout's
/// `{{{body}}}`, which is a page these templates rendered.
struct PageTemplates: Sendable {
    let library: MustacheLibrary

    static let sources: [(name: String, bytes: [UInt8])] = [
        ("layout", PackageResources.layout_mustache), ("signin", PackageResources.signin_mustache),
        ("inbox", PackageResources.inbox_mustache), ("notification", PackageResources.notification_mustache),
        ("message", PackageResources.message_mustache), ("card", PackageResources.card_mustache),
        ("safety-check", PackageResources.safety_check_mustache), ("feeds", PackageResources.feeds_mustache),
        ("audit", PackageResources.audit_mustache),
    ]

    /// The view pages' (`ViewPages.swift`).
    static let viewSources: [(name: String, bytes: [UInt8])] = [
        ("caseload", PackageResources.caseload_mustache), ("releases", PackageResources.releases_mustache),
        ("warrant-checks", PackageResources.warrant_checks_mustache), ("person", PackageResources.person_mustache),
    ]

    init() throws(WebUISetupError) {
        // The library keeps content types in a table of its own; registering the same type
        // under the same name again (each `WebUI`) changes nothing.
        MustacheContentTypes.register(ScalarHTMLEscaping(), named: ScalarHTMLEscaping.name)
        var library = MustacheLibrary()
        for source in Self.sources + Self.viewSources {
            do {
                try library.register(ScalarHTMLEscaping.pragma + String(decoding: source.bytes, as: UTF8.self), named: source.name)
            } catch {
                throw WebUISetupError(reason: "the template \(source.name).mustache does not parse: \(error)")
            }
        }
        self.library = library
    }

    /// `page` rendered with `values`, inside the layout with `layout`'s values.
    func render(_ page: String, _ values: [String: Any], layout: [String: Any]) -> String? {
        guard let body = library.render(values, withTemplate: page) else { return nil }
        var layout = layout
        layout["body"] = body
        return library.render(layout, withTemplate: "layout")
    }
}

/// The stylesheet and the script, served as they are.
enum PageAssets {
    static let css = PackageResources.app_css
    static let script = PackageResources.app_js
}
