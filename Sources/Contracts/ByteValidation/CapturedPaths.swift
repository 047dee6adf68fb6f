/// A few member paths (`eventId`, `subject.stateId`) whose values ``ByteValidator`` notes the
/// offsets of while it reads a document, so that an event's id, version and key are known when
/// its verdict is, without reading the document again.
///
/// Reading them in a separate scan cost a fifth of validation: the envelope's members that come
/// after the payload (`schemaVersion`, `subject` in an event written with sorted keys) made the
/// scan skip the whole payload once more.
///
/// The paths form a trie of member names: node 0 stands for the root object, and each node's
/// children are the names whose values the validator notes in the object that is the node's
/// value. Only objects on a path pay for a lookup; every other object reads as before.
struct CapturedPaths: Sendable {
    /// Every node's children as ranges into ``names`` with the child's node, by parent node.
    private var children: [[(name: Range<Int>, node: Int)]] = [[]]
    /// The member names, back to back.
    private var names: [UInt8] = []
    /// Each path's node, in the order the paths were given.
    private(set) var ends: [Int] = []

    /// The trie's node count: the size of the validator's table of noted offsets.
    var nodeCount: Int { children.count }

    init(_ paths: [[[UInt8]]]) {
        for path in paths {
            var node = 0
            for name in path {
                if let child = children[node].first(where: { names[$0.name].elementsEqual(name) }) {
                    node = child.node
                    continue
                }
                let start = names.count
                names.append(contentsOf: name)
                children.append([])
                children[node].append((start..<names.count, children.count - 1))
                node = children.count - 1
            }
            ends.append(node)
        }
    }

    /// The child of `node` named `name`, or -1.
    func child(of node: Int, named name: UnsafeBufferPointer<UInt8>) -> Int {
        for (range, child) in children[node] where range.count == name.count {
            var equal = true
            for i in 0..<name.count where names[range.lowerBound + i] != name[i] {
                equal = false
                break
            }
            if equal { return child }
        }
        return -1
    }
}
