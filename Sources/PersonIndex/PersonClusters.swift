/// Records grouped into persons by their links (union–find with path halving and union by
/// size). A person's id is the smallest record id among its records (in Unicode order), so it
/// does not depend on the order links arrive in, and when two persons merge the survivor is
/// one of the two existing ids — never a new one.
public struct PersonClusters: Sendable {
    private var parent: [Int]
    private var size: [Int]
    /// The records of each root's person, other than the root itself (kept for `members(of:)`).
    private var joined: [[Int32]]
    private let recordIds: [String]

    public init(recordIds: [String]) {
        self.recordIds = recordIds
        parent = Array(recordIds.indices)
        size = [Int](repeating: 1, count: recordIds.count)
        joined = Array(repeating: [], count: recordIds.count)
    }

    /// The records (indices) of the person `index` belongs to, itself included.
    public mutating func members(of index: Int) -> [Int] {
        let top = root(index)
        return [top] + joined[top].map(Int.init)
    }

    /// Puts records `a` and `b` (indices into `recordIds`) in one person.
    public mutating func link(_ a: Int, _ b: Int) {
        var x = root(a), y = root(b)
        guard x != y else { return }
        if size[x] < size[y] { swap(&x, &y) }
        parent[y] = x
        size[x] += size[y]
        joined[x].append(Int32(y))
        joined[x] += joined[y]
        joined[y] = []
    }

    /// Whether records `a` and `b` are in the same person.
    public mutating func areLinked(_ a: Int, _ b: Int) -> Bool {
        root(a) == root(b)
    }

    /// Record indices per person; persons and their records in ascending index order.
    public mutating func persons() -> [[Int]] {
        var groups: [Int: [Int]] = [:]
        for index in recordIds.indices { groups[root(index), default: []].append(index) }
        return groups.values.sorted { $0[0] < $1[0] }
    }

    /// The person id of every record: the smallest record id of its person (the survivor rule).
    public mutating func personIds() -> [String] {
        var ids = [String](repeating: "", count: recordIds.count)
        for members in persons() {
            let survivor = members.map { recordIds[$0] }.min() ?? ""
            for member in members { ids[member] = survivor }
        }
        return ids
    }

    private mutating func root(_ index: Int) -> Int {
        var node = index
        while parent[node] != node {
            parent[node] = parent[parent[node]]
            node = parent[node]
        }
        return node
    }
}
