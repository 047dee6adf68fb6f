/// Every read model the bus hosts, for the runtime, `reentrybus view` and the tests that hold
/// each of them to the same rules. A new view is added here.
public enum ReadModelCatalog {
    public static let all: [any ReadModelStore] = [
        CaseloadStore(),
        CourtStore(),
        PoliceViewStore(),
        ReleaseBoardStore(),
        HighNeedsStore(),
    ]
}
