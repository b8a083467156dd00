/// An object that knows its own place in a `SlotList` (-1: not in one), so it is removed in
/// constant time: the last one moves into its slot.
protocol Slotted: AnyObject {
    var slot: Int { get set }
}

/// The per-loop lists the sweeps walk (exchanges with a deadline, client connections): an
/// append to add, a swap-remove to drop, no search. Only the loop's thread touches one.
struct SlotList<Element: Slotted> {
    private(set) var items: [Element] = []

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }
    subscript(i: Int) -> Element { items[i] }

    /// False when `x` is in a list already.
    @discardableResult
    mutating func add(_ x: Element) -> Bool {
        guard x.slot < 0 else { return false }
        x.slot = items.count
        items.append(x)
        return true
    }

    mutating func remove(_ x: Element) {
        let i = x.slot
        guard i >= 0, i < items.count, items[i] === x else { return }
        x.slot = -1
        let last = items.removeLast()
        if i < items.count {
            items[i] = last
            last.slot = i
        }
    }
}
