import Dispatch

/// Runs CPU-bound batch work (checking and signing rows) on several threads, in contiguous chunks whose
/// results come back in order.
enum ParallelChunks {
    /// `body` for each of `jobs` contiguous chunks of `0..<count`, one thread each; results in chunk order.
    /// With one job (or one item) it runs on the calling thread.
    static func map<T: Sendable>(count: Int, jobs: Int, _ body: @Sendable (Range<Int>) -> T) -> [T] {
        let chunks = max(1, min(jobs, count))
        let bounds = (0...chunks).map { $0 * count / chunks }
        if chunks == 1 { return [body(0..<count)] }
        let slots = ConcurrentSlots<T>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            slots.set(chunk, body(bounds[chunk]..<bounds[chunk + 1]))
        }
        return slots.values()
    }

    /// `transform` of every index, a block at a time on `jobs` threads, each finished block handed to `consume`
    /// on the calling thread while the next block is computed. So the caller alone does the block's I/O (file
    /// systems gain nothing from two threads creating files in one directory) while signing continues, and
    /// memory holds two blocks, not all of them. With one job nothing overlaps: compute, consume, repeat.
    /// Stops at the first error, from either side.
    static func pipeline<T: Sendable>(count: Int, jobs: Int, blockSize: Int = 1024,
                                      _ transform: @escaping @Sendable (Int) throws(AttestError) -> T,
                                      consume: (Range<Int>, [T]) throws(AttestError) -> Void) throws(AttestError) {
        let blocks = stride(from: 0, to: count, by: max(1, blockSize)).map { $0..<min($0 + max(1, blockSize), count) }
        @Sendable func compute(_ block: Range<Int>) -> Result<[T], AttestError> {
            let parts = map(count: block.count, jobs: jobs) { range -> Result<[T], AttestError> in
                var out: [T] = []
                out.reserveCapacity(range.count)
                for offset in range {
                    do throws(AttestError) { out.append(try transform(block.lowerBound + offset)) } catch { return .failure(error) }
                }
                return .success(out)
            }
            var all: [T] = []
            all.reserveCapacity(block.count)
            for part in parts {
                switch part {
                case .success(let values): all += values
                case .failure(let error): return .failure(error)
                }
            }
            return .success(all)
        }
        guard let first = blocks.first else { return }
        guard jobs > 1 else {
            for block in blocks { try consume(block, compute(block).get()) }
            return
        }
        var current = compute(first)
        let upcoming = ConcurrentSlots<Result<[T], AttestError>>(count: 1)
        let group = DispatchGroup()
        for (position, block) in blocks.enumerated() {
            let hasNext = position + 1 < blocks.count
            if hasNext {
                let next = blocks[position + 1]
                DispatchQueue.global().async(group: group) { upcoming.set(0, compute(next)) }
            }
            let consumed: Result<Void, AttestError>
            do throws(AttestError) {
                try consume(block, current.get())
                consumed = .success(())
            } catch {
                consumed = .failure(error)
            }
            // Never leave while a block is still being computed.
            group.wait()
            try consumed.get()
            if hasNext, let next = upcoming.take(0) { current = next }
        }
    }
}
