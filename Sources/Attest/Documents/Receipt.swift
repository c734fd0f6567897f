import AttestCrypto

/// A device's signed record of one decision (payload `application/vnd.attest.receipt+json`).
///
/// Guarantees after `init(json:)`: strict members only; event and decision are known values; `failed`
/// lists check ids and is empty exactly when the decision is allow; `nonce`, when present, is 32 lowercase hex
/// digits.
///
/// The nonce makes every receipt a device signs distinct (Ed25519 is deterministic: two jobs in one second
/// would otherwise sign identical bytes), so a receipt whose bytes are already in the log is a replay.
/// Receipts written before it existed have none and still parse.
public struct Receipt: Sendable, Equatable {
    /// `unseal`: a sealed file was (or was not) opened on the device (docs/unseal.md).
    public enum Event: String, Sendable, CaseIterable { case verify, boot, run, unseal }
    public enum Decision: String, Sendable { case allow, deny }

    public var device: String
    public var at: Timestamp
    public var event: Event
    /// The manifest decided on: its id and digest. Absent when no manifest could be read.
    public var manifestID: String?
    public var manifestDigest: String?
    public var chips: [String]
    public var region: String
    public var workload: String?
    public var model: String?
    public var decision: Decision
    public var failed: [String]
    /// 16 random bytes, hex: what tells two otherwise identical receipts apart.
    public var nonce: String?

    public init(device: String, at: Timestamp, event: Event, manifestID: String?, manifestDigest: String?, chips: [String],
                region: String, workload: String?, model: String?, decision: Decision, failed: [String], nonce: String? = nil) {
        self.device = device
        self.at = at
        self.event = event
        self.manifestID = manifestID
        self.manifestDigest = manifestDigest
        self.chips = chips
        self.region = region
        self.workload = workload
        self.model = model
        self.decision = decision
        self.failed = failed
        self.nonce = nonce
    }

    /// A check id's form: dotted lowercase words (`manifest.rollback`, `log.queue`).
    static func isCheckID(_ id: String) -> Bool {
        let parts = id.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return parts.count >= 2 && id.utf8.count <= 64 && parts.allSatisfy { part in
            guard let first = part.first, (0x61...0x7A).contains(first) else { return false }
            return part.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// A fresh random nonce for a new receipt.
    public static func freshNonce() throws(AttestError) -> String {
        do throws(CryptoError) {
            return Hex.encode(try SecureRandom.bytes(16))
        } catch {
            throw AttestError(error)
        }
    }

    public init(json value: JSONValue) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        device = try reader.string("device")
        guard DocumentFields.isKeyID(device) else { throw DocumentFields.fail("device must be a keyid", reader.path(of: "device")) }
        at = try DocumentFields.time(&reader, "at")
        let eventText = try reader.string("event")
        guard let event = Event(rawValue: eventText) else { throw DocumentFields.fail("unknown event \"\(eventText)\"", reader.path(of: "event")) }
        self.event = event
        if var m = try reader.optionalObject("manifest") {
            manifestID = try m.string("id")
            guard let id = manifestID, DocumentFields.isUUID(id) else { throw DocumentFields.fail("id must be a lowercase UUID", m.path(of: "id")) }
            manifestDigest = try m.string("digest")
            guard let d = manifestDigest, DocumentFields.isDigest(d) else { throw DocumentFields.fail("digest must be sha256:<hex>", m.path(of: "digest")) }
            try m.finish()
        }
        chips = try DocumentFields.list(&reader, "chips", nonEmpty: false, what: "a serial number", DocumentFields.isSerial)
        // Every member has the form attest writes, so nothing a receipt carries can be more than it seems.
        region = try reader.string("region")
        guard Region.isValid(region) else { throw DocumentFields.fail("\"\(region)\" is not an ISO 3166 code", reader.path(of: "region")) }
        workload = try reader.optionalString("workload")
        if let workload, !DocumentFields.isSlug(workload) { throw DocumentFields.fail("workload must be a slug", reader.path(of: "workload")) }
        model = try reader.optionalString("model")
        if let model, !DocumentFields.isDigest(model) { throw DocumentFields.fail("model must be a sha256:<64 hex> digest", reader.path(of: "model")) }
        let decisionText = try reader.string("decision")
        guard let decision = Decision(rawValue: decisionText) else {
            throw DocumentFields.fail("decision must be allow or deny", reader.path(of: "decision"))
        }
        self.decision = decision
        failed = try reader.stringArray("failed")
        for (position, id) in failed.enumerated() where !Self.isCheckID(id) {
            throw DocumentFields.fail("\(JSONText.quotedForMessage(id)) is not a check id", JSONPath.element(position, of: reader.path(of: "failed")))
        }
        guard (decision == .allow) == failed.isEmpty else {
            throw DocumentFields.fail("failed must be empty exactly when the decision is allow", reader.path(of: "failed"))
        }
        nonce = try reader.optionalString("nonce")
        if let nonce, nonce.utf8.count != 32 || !nonce.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) {
            throw DocumentFields.fail("nonce must be 32 lowercase hex digits", reader.path(of: "nonce"))
        }
        try reader.finish()
    }

    public var json: JSONValue {
        var object: JSONObject = [
            "device": .string(device),
            "at": .string(at.description),
            "event": .string(event.rawValue),
            "chips": DocumentFields.strings(chips),
            "region": .string(region),
            "decision": .string(decision.rawValue),
            "failed": DocumentFields.strings(failed),
        ]
        if let manifestID, let manifestDigest {
            _ = object.updateValue(["id": .string(manifestID), "digest": .string(manifestDigest)], forKey: "manifest")
        }
        if let workload { _ = object.updateValue(.string(workload), forKey: "workload") }
        if let model { _ = object.updateValue(.string(model), forKey: "model") }
        if let nonce { _ = object.updateValue(.string(nonce), forKey: "nonce") }
        return .object(object)
    }
}
