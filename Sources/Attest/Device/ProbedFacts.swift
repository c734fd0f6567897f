/// What the last `attest boot` probed, kept in the state directory (`facts.json`) so `attest run` maps
/// CUDA_VISIBLE_DEVICES to serials without starting nvidia-smi before every job (the real one takes tens
/// of milliseconds to load the driver's library). The accelerators of a running host do not change
/// between boots; `attest run --probe` probes anyway.
public struct ProbedFacts: Sendable, Equatable {
    public static let fileName = "facts.json"

    public var gpus: [HardwareProbe.GPU]
    public var chips: [Manifest.Chip]

    public init(_ report: HardwareProbe.Report) {
        gpus = report.gpus
        chips = report.chips
    }

    public init(json value: JSONValue) throws(AttestError) {
        var r = try JSONObjectReader(value)
        var gpus: [HardwareProbe.GPU] = []
        for var g in try r.objectArray("gpus") {
            let index = try g.int("index")
            let uuid = try g.string("uuid")
            let chip = try Self.chip(&g)
            try g.finish()
            gpus.append(HardwareProbe.GPU(index: Int(index), uuid: uuid, chip: chip))
        }
        var chips: [Manifest.Chip] = []
        for var c in try r.objectArray("chips") {
            chips.append(try Self.chip(&c))
            try c.finish()
        }
        try r.finish()
        self.gpus = gpus
        self.chips = chips
    }

    static func chip(_ r: inout JSONObjectReader) throws(AttestError) -> Manifest.Chip {
        let vendor = try DocumentFields.slug(&r, "vendor")
        let model = try r.string("model")
        let serial = try r.string("serial")
        guard DocumentFields.isSerial(serial) else { throw AttestError(.invalidDocument, "bad serial", at: r.path(of: "serial")) }
        return Manifest.Chip(vendor: vendor, model: model, serial: serial)
    }

    static func chipJSON(_ c: Manifest.Chip) -> [(String, JSONValue)] {
        [("vendor", .string(c.vendor)), ("model", .string(c.model)), ("serial", .string(c.serial))]
    }

    public var json: JSONValue {
        [
            "gpus": .array(gpus.map { gpu in
                .object(JSONObject(uniqueMembers: [("index", .number(JSONNumber(Int64(gpu.index)))), ("uuid", .string(gpu.uuid))] + Self.chipJSON(gpu.chip)))
            }),
            "chips": .array(chips.map { .object(JSONObject(uniqueMembers: Self.chipJSON($0))) }),
        ]
    }

    /// The cached facts, or nil when there are none (or they cannot be read: then the caller probes).
    static func load(stateDirectory: String) -> ProbedFacts? {
        let path = stateDirectory + "/" + fileName
        guard AtomicFile.exists(path), let bytes = try? AtomicFile.read(path, limit: 1 << 20),
              let value = try? JSONParser.parse(bytes) else { return nil }
        return try? ProbedFacts(json: value)
    }

    func save(stateDirectory: String) throws(AttestError) {
        try AtomicFile.write(CanonicalJSON.encode(json) + [0x0a], to: stateDirectory + "/" + Self.fileName, mode: 0o600)
    }
}
