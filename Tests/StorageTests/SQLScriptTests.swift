@testable import Storage
import Testing

/// PostgreSQL runs a migration script one statement at a time: the split must not cut inside
/// a string, a quoted name or a comment.
@Suite struct SQLScriptTests {
    @Test func splitsAtSemicolonsOutsideQuotesAndComments() {
        let script = """
            CREATE TABLE a (note TEXT DEFAULT 'x;y', "odd;name" BIGINT); -- a comment; with a semicolon
            /* block; comment */ INSERT INTO a (note) VALUES ('it''s; fine');
            ;
            SELECT 1 - -1
            """
        #expect(SQLScript.statements(script) == [
            #"CREATE TABLE a (note TEXT DEFAULT 'x;y', "odd;name" BIGINT)"#,
            "INSERT INTO a (note) VALUES ('it''s; fine')",
            "SELECT 1 - -1",
        ])
    }
}
