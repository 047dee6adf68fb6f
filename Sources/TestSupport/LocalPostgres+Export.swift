// The private PostgreSQL cluster and the child-process, port and deadline helpers it needs live
// in LocalPostgres (the replay benchmark starts a cluster too, and must not link swift-testing);
// the test targets keep reaching them through TestSupport.
@_exported import LocalPostgres
