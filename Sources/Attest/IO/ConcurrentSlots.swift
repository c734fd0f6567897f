import Dispatch

/// Result slots that worker threads fill in: one slot per item, each written by one thread at a time, and
/// every read after a wait (`concurrentPerform` returning, `DispatchGroup.wait`) that orders it after the
/// write, so no lock is needed. A raw buffer, not an array property: Swift's exclusivity checks would
/// reject two threads writing different elements of one stored array.
final class ConcurrentSlots<T: Sendable>: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<T?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }

    var count: Int { buffer.count }

    func set(_ index: Int, _ value: T) { buffer[index] = value }

    /// The value at `index`, leaving the slot empty.
    func take(_ index: Int) -> T? {
        defer { buffer[index] = nil }
        return buffer[index]
    }

    /// The filled slots, in order.
    func values() -> [T] { buffer.compactMap { $0 } }

    /// Runs `body` for every index on `jobs` threads (striped, so neighbours go to different threads) and
    /// returns the results in order.
    static func map(count: Int, jobs: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = ConcurrentSlots<T>(count: count)
        let workers = max(1, min(jobs, count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < count {
                slots.set(i, body(i))
                i += workers
            }
        }
        return slots.values()
    }
}
