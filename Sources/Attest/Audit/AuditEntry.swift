import AttestCrypto

/// One envelope as the audit log takes it: its canonical bytes (what the tree hashes) and the facts an auditor
/// filters on, read from its payload.
///
/// Guarantees after `init(envelopeBytes:)`: the envelope parses, its payload type is a manifest or a receipt,
/// the payload is a strict document in RFC 8785 form, and `bytes` is the envelope's canonical JSON. `record`
/// is a function of `bytes` alone, so `audit verify` recomputes it and compares it with the stored columns.
public struct AuditEntry: Sendable {
    /// The payload types the log takes: what an integrator issues and what a device decides.
    public enum Kind: String, Sendable, CaseIterable {
        case manifest, receipt

        public var payloadType: PayloadType { self == .manifest ? .manifest : .receipt }

        public init?(payloadType: String) {
            switch payloadType {
            case PayloadType.manifest.rawValue: self = .manifest
            case PayloadType.receipt.rawValue: self = .receipt
            default: return nil
            }
        }
    }

    public let envelope: Envelope
    /// The envelope's canonical JSON bytes: the leaf's entry.
    public let bytes: [UInt8]
    public let kind: Kind
    /// The manifest, for a manifest entry.
    public let manifest: Manifest?
    /// The receipt, for a receipt entry.
    public let receipt: Receipt?
    /// Where the envelope came from (a file name), for messages.
    public var source: String?

    /// Reads an envelope. Throws `.invalidEnvelope` for anything but a manifest or receipt envelope, and the
    /// document's own error for a payload that is not a strict, canonical document.
    public init(envelopeBytes: [UInt8]) throws(AttestError) {
        try self.init(envelope: Envelope.parse(envelopeBytes))
    }

    public init(envelope: Envelope) throws(AttestError) {
        guard let kind = Kind(payloadType: envelope.payloadType) else {
            throw AttestError(.invalidEnvelope, "the audit log takes manifests and receipts, not \(envelope.payloadType)")
        }
        let value = try JSONParser.parse(envelope.payload)
        guard CanonicalJSON.encode(value) == envelope.payload else {
            throw AttestError(.invalidDocument, "payload is not in RFC 8785 canonical form")
        }
        self.envelope = envelope
        self.kind = kind
        self.bytes = envelope.encoded()
        switch kind {
        case .manifest:
            manifest = try Manifest(json: value)
            receipt = nil
        case .receipt:
            manifest = nil
            receipt = try Receipt(json: value)
        }
    }

    /// `sha256:<hex>` of the payload: for a manifest, the digest receipts name it by.
    public var payloadDigest: String { envelope.payloadDigest }

    /// The device key id a receipt names (and must be signed by).
    public var device: String? { receipt?.device }

    /// The columns the log stores for this entry at `index`.
    public func record(index: UInt64) -> AuditRecord {
        if let manifest {
            return AuditRecord(index: index, kind: .manifest, time: manifest.issuedAt.description,
                               manifestID: manifest.id, manifestDigest: payloadDigest, issuer: manifest.issuer,
                               device: nil, event: nil, region: manifest.region,
                               workloads: manifest.workloads.map(\.workloadClass), chips: manifest.chips.map(\.serial),
                               decision: nil, failed: [])
        }
        let receipt = receipt!
        return AuditRecord(index: index, kind: .receipt, time: receipt.at.description,
                           manifestID: receipt.manifestID, manifestDigest: receipt.manifestDigest, issuer: nil,
                           device: receipt.device, event: receipt.event.rawValue, region: receipt.region,
                           workloads: receipt.workload.map { [$0] } ?? [], chips: receipt.chips,
                           decision: receipt.decision.rawValue, failed: receipt.failed)
    }
}

/// What the log's columns say about one entry: the facts `list`, `export`, `report` and `cross-check` read
/// without parsing envelopes.
///
/// Guarantees: for a log that `audit verify` passes, every record equals the one its entry's bytes give.
public struct AuditRecord: Sendable, Equatable {
    public var index: UInt64
    public var kind: AuditEntry.Kind
    /// A receipt's `at`, a manifest's `issuedAt` (RFC 3339, so text order is time order).
    public var time: String
    public var manifestID: String?
    public var manifestDigest: String?
    /// A manifest's issuing delegation; receipts do not name one.
    public var issuer: String?
    /// A receipt's device key id.
    public var device: String?
    public var event: String?
    public var region: String
    /// A manifest's workload classes, or the one workload a receipt's job asked for.
    public var workloads: [String]
    public var chips: [String]
    /// allow or deny, for receipts.
    public var decision: String?
    /// The check ids that failed, for a denying receipt.
    public var failed: [String]

    public init(index: UInt64, kind: AuditEntry.Kind, time: String, manifestID: String?, manifestDigest: String?,
                issuer: String?, device: String?, event: String?, region: String, workloads: [String], chips: [String],
                decision: String?, failed: [String]) {
        self.index = index
        self.kind = kind
        self.time = time
        self.manifestID = manifestID
        self.manifestDigest = manifestDigest
        self.issuer = issuer
        self.device = device
        self.event = event
        self.region = region
        self.workloads = workloads
        self.chips = chips
        self.decision = decision
        self.failed = failed
    }

    /// The record as a JSON object (list and show output).
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("index", .number(JSONNumber(Int64(index)))),
            ("type", .string(kind.rawValue)),
            ("time", .string(time)),
        ]
        if let event { members.append(("event", .string(event))) }
        if let decision { members.append(("decision", .string(decision))) }
        if let manifestID { members.append(("manifest", .string(manifestID))) }
        if let manifestDigest { members.append(("digest", .string(manifestDigest))) }
        if let issuer { members.append(("issuer", .string(issuer))) }
        if let device { members.append(("device", .string(device))) }
        members.append(("region", .string(region)))
        members.append(("chips", .array(chips.map { .string($0) })))
        members.append(("workloads", .array(workloads.map { .string($0) })))
        members.append(("failed", .array(failed.map { .string($0) })))
        return .object(JSONObject(uniqueMembers: members))
    }

    /// Fields that differ from `other`, by column name (empty when equal).
    func differences(from other: AuditRecord) -> [String] {
        var out: [String] = []
        if kind != other.kind { out.append("payload_type") }
        if time != other.time { out.append("time") }
        if manifestID != other.manifestID { out.append("manifest_id") }
        if manifestDigest != other.manifestDigest { out.append("manifest_digest") }
        if issuer != other.issuer { out.append("issuer") }
        if device != other.device { out.append("device") }
        if event != other.event { out.append("event") }
        if region != other.region { out.append("region") }
        if workloads != other.workloads { out.append("workloads") }
        if chips != other.chips { out.append("chips") }
        if decision != other.decision { out.append("decision") }
        if failed != other.failed { out.append("failed") }
        return out
    }

    /// Terms of the filter index: one per chip serial and one per workload class.
    var terms: [String] {
        var out: [String] = []
        for chip in Set(chips) { out.append(AuditRecord.chipTerm(chip)) }
        for workload in Set(workloads) { out.append(AuditRecord.workloadTerm(workload)) }
        return out.sorted()
    }

    static func chipTerm(_ serial: String) -> String { "chip:" + serial }
    static func workloadTerm(_ workload: String) -> String { "workload:" + workload }
}

extension AuditEntry {
    /// Reads a file holding one envelope, or one envelope per line (what `audit export --format jsonl`
    /// writes). `-` reads standard input. Errors name the file, and the line for JSON lines.
    public static func read(_ path: String) throws(AttestError) -> [AuditEntry] {
        let name = path == "-" ? "standard input" : path
        let bytes = try AtomicFile.read(path)
        let whole: AttestError
        do {
            var entry = try AuditEntry(envelopeBytes: bytes)
            entry.source = name
            return [entry]
        } catch {
            whole = error
        }
        let lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false)
        guard lines.filter({ !$0.allSatisfy(Self.isSpace) }).count > 1 else { throw whole.inFile(name) }
        var entries: [AuditEntry] = []
        for (number, line) in lines.enumerated() where !line.allSatisfy(Self.isSpace) {
            do {
                var entry = try AuditEntry(envelopeBytes: Array(line))
                entry.source = "\(name): line \(number + 1)"
                entries.append(entry)
            } catch {
                throw error.inFile("\(name): line \(number + 1)")
            }
        }
        return entries
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0d || byte == 0x0a
    }
}
