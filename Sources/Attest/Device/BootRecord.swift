/// What the last boot decided for each chip, `<state-dir>/boot.json`, written by boot under the state lock and
/// read by `run`: a job does not start on chips the last boot denied (unless `run --no-boot-check`).
///
/// `{"format": 1, "at": "<time>", "chips": {"<serial>": "allow" | "deny"}}`
public struct BootRecord: Sendable, Equatable {
    public static let fileName = "boot.json"

    public var at: Timestamp
    public var chips: [String: Receipt.Decision]

    public init(at: Timestamp, chips: [String: Receipt.Decision]) {
        self.at = at
        self.chips = chips
    }

    public init(json value: JSONValue) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        let format = try reader.int("format")
        guard format == 1 else { throw AttestError(.invalidDocument, "unknown boot record format \(format)", at: reader.path(of: "format")) }
        at = try DocumentFields.time(&reader, "at")
        var chips: [String: Receipt.Decision] = [:]
        for (serial, decision) in try reader.object("chips").object {
            guard let text = decision.stringValue, let value = Receipt.Decision(rawValue: text) else {
                throw AttestError(.invalidDocument, "expected allow or deny", at: "$.chips.\(serial)")
            }
            chips[serial] = value
        }
        self.chips = chips
        try reader.finish()
    }

    public var json: JSONValue {
        var object = JSONObject()
        for (serial, decision) in chips.sorted(by: { $0.key < $1.key }) { _ = object.updateValue(.string(decision.rawValue), forKey: serial) }
        return ["format": 1, "at": .string(at.description), "chips": .object(object)]
    }

    /// Why the last boot does not let a job use `serials`, or nil when it does.
    public func refusal(for serials: [String]) -> String? {
        let denied = serials.filter { chips[$0] != .allow }
        guard !denied.isEmpty else { return nil }
        return "the last boot (\(at)) did not allow chip\(denied.count == 1 ? "" : "s") \(denied.joined(separator: ", ")): run attest boot, or --no-boot-check"
    }

    static func path(stateDirectory: String) -> String { stateDirectory + "/" + fileName }

    /// The record, or nil when the device never booted. A record that cannot be read is an environment error.
    static func load(stateDirectory: String) throws(AttestError) -> BootRecord? {
        let path = Self.path(stateDirectory: stateDirectory)
        guard AtomicFile.exists(path) else { return nil }
        do throws(AttestError) {
            return try BootRecord(json: JSONParser.parse(try AtomicFile.read(path, limit: 1 << 20)))
        } catch {
            throw AttestError(.environment, "the boot record cannot be read: \(error.description)", at: path)
        }
    }

    func save(stateDirectory: String) throws(AttestError) {
        do throws(AttestError) {
            try AtomicFile.write(CanonicalJSON.encode(json) + [0x0a], to: Self.path(stateDirectory: stateDirectory), mode: 0o600)
        } catch {
            throw AttestError(.environment, "cannot write the boot record: \(error.description)")
        }
    }
}
