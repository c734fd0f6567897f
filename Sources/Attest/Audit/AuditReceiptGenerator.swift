import AttestCrypto
import Dispatch

/// Signed receipts made up for benchmarks and tests: a fleet of chips in a few regions running jobs under a
/// handful of manifests, mostly allowed, some denied with realistic failed checks. Deterministic for a seed
/// (but for the signatures' key).
///
/// Guarantees: every receipt is a valid, canonical receipt envelope signed by `deviceKey`; bulk appends go
/// through `AuditLog.append` (the same path as every append), a transaction per batch.
public struct AuditReceiptGenerator: Sendable {
    public let deviceKey: PrivateKey
    public var seed: UInt64
    /// The first receipt's time; receipt n is at `start + n × spacing` plus up to one spacing more.
    public var start: Timestamp
    public var spacing: Int64

    public init(deviceKey: PrivateKey, seed: UInt64 = 1, start: Timestamp = Timestamp(seconds: 1_798_761_600), spacing: Int64 = 30) {
        self.deviceKey = deviceKey
        self.seed = seed
        self.start = start
        self.spacing = max(1, spacing)
    }

    static let regions = ["MX", "MX-NLE", "BR", "BR-SP", "US", "DE", "IN", "JP"]
    static let workloads = ["industrial-inspection", "public-safety", "medical-imaging", "speech"]
    static let denials: [[String]] = [["device.region"], ["manifest.validity"], ["job.workload"], ["device.chip"],
                                      ["manifest.revoked", "manifest.signature"], ["job.model"]]

    /// Receipts `range` of the sequence this generator makes (the same index always gives the same receipt).
    public func receipts(_ range: Range<Int>, threads: Int = 2) throws(AttestError) -> [AuditEntry] {
        let generator = self
        let results = ConcurrentSlots<Result<AuditEntry, AttestError>>.map(count: range.count, jobs: threads) { i in
            Result { () throws(AttestError) in try generator.receipt(range.lowerBound + i) }
        }
        var out: [AuditEntry] = []
        out.reserveCapacity(results.count)
        for result in results { out.append(try result.get()) }
        return out
    }

    /// Receipt number `n`.
    public func receipt(_ n: Int) throws(AttestError) -> AuditEntry {
        var g = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(n))
        let region = Self.regions[Int(g.next() % UInt64(Self.regions.count))]
        let manifest = Int(g.next() % 12)
        let chipCount = 1 + Int(g.next() % 2)
        let firstChip = g.next() % 256
        let chips = (0..<UInt64(chipCount)).map { "16529220\(String(10_000 + (firstChip + $0) % 256))" }
        let workload = Self.workloads[Int(g.next() % UInt64(Self.workloads.count))]
        let denied = g.next() % 10 == 0
        let failed = denied ? Self.denials[Int(g.next() % UInt64(Self.denials.count))] : []
        let id = "00000000-0000-4000-8000-\(String(100_000_000_000 + UInt64(seed % 1000) * 1000 + UInt64(manifest)))"
        let digest = "sha256:" + Hex.encode(SHA256.hash(Array(id.utf8)))
        let receipt = Receipt(device: deviceKey.publicKey.keyID, at: start.adding(seconds: Int64(n) * spacing + Int64(g.next() % UInt64(spacing))),
                              event: g.next() % 8 == 0 ? .boot : .run, manifestID: id, manifestDigest: digest, chips: chips,
                              region: region, workload: workload, model: nil, decision: denied ? .deny : .allow, failed: failed,
                              nonce: Hex.encode((0..<2).flatMap { _ in withUnsafeBytes(of: g.next()) { Array($0) } }))
        var envelope = Envelope(payloadType: PayloadType.receipt.rawValue, payload: CanonicalJSON.encode(receipt.json))
        try envelope.sign(with: deviceKey)
        return try AuditEntry(envelope: envelope)
    }
}
