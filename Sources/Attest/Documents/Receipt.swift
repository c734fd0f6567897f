/// A device's signed record of one decision (payload `application/vnd.attest.receipt+json`).
///
/// Guarantees after `init(json:)`: strict members only; event and decision are known values; `failed`
/// lists check ids and is empty exactly when the decision is allow.
public struct Receipt: Sendable, Equatable {
    public enum Event: String, Sendable, CaseIterable { case verify, boot, run }
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

    public init(device: String, at: Timestamp, event: Event, manifestID: String?, manifestDigest: String?, chips: [String],
                region: String, workload: String?, model: String?, decision: Decision, failed: [String]) {
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
            manifestDigest = try m.string("digest")
            guard let d = manifestDigest, DocumentFields.isDigest(d) else { throw DocumentFields.fail("digest must be sha256:<hex>", m.path(of: "digest")) }
            try m.finish()
        }
        chips = try DocumentFields.list(&reader, "chips", nonEmpty: false, what: "a serial number", DocumentFields.isSerial)
        region = try reader.string("region")
        workload = try reader.optionalString("workload")
        model = try reader.optionalString("model")
        let decisionText = try reader.string("decision")
        guard let decision = Decision(rawValue: decisionText) else {
            throw DocumentFields.fail("decision must be allow or deny", reader.path(of: "decision"))
        }
        self.decision = decision
        failed = try reader.stringArray("failed")
        guard (decision == .allow) == failed.isEmpty else {
            throw DocumentFields.fail("failed must be empty exactly when the decision is allow", reader.path(of: "failed"))
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
        return .object(object)
    }
}
