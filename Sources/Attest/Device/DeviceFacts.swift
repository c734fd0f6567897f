/// What a device is: its provisioned region and the chips present (and, for a job, the chips in use).
///
/// Guarantees after `init(json:)`: strict members only; a valid region code; chips with valid vendors and
/// serials, no serial twice.
public struct DeviceFacts: Sendable, Equatable {
    public var region: String
    public var chips: [Manifest.Chip]
    /// The chips a job will use; nil means all of `chips`.
    public var inUse: [Manifest.Chip]?

    public init(region: String, chips: [Manifest.Chip], inUse: [Manifest.Chip]? = nil) {
        self.region = region
        self.chips = chips
        self.inUse = inUse
    }

    public var chipsInUse: [Manifest.Chip] { inUse ?? chips }

    /// Reads a facts file: `{"region": "MX", "chips": [{"vendor": "nvidia", "model": "H200", "serial": "…"}]}`,
    /// or what `attest device facts --json` prints (its `gpus` and `host` members are read and checked, and
    /// its `region` is null on a device that is not provisioned).
    /// - Parameter region: the provisioned region, which replaces the file's; without one the file must name it.
    public init(json value: JSONValue, region provisioned: String? = nil) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        let regionValue = try reader.value("region")
        let named = regionValue.isNull ? nil : try regionValue.asString(at: reader.path(of: "region"))
        guard let region = provisioned ?? named else {
            throw AttestError(.invalidDocument, "the facts name no region (an unprovisioned device's 'device facts' prints null): give one", at: reader.path(of: "region"))
        }
        guard Region.isValid(region) else {
            throw AttestError(.invalidDocument, "\"\(region)\" is not an ISO 3166 region code", at: reader.path(of: "region"))
        }
        self.region = region
        var chips: [Manifest.Chip] = []
        var serials = Set<String>()
        for var c in try reader.objectArray("chips") {
            let chip = try Self.chip(&c)
            guard serials.insert(chip.serial).inserted else { throw AttestError(.invalidDocument, "serial \(chip.serial) is listed twice", at: c.path(of: "serial")) }
            try c.finish()
            chips.append(chip)
        }
        // The probe's own detail: checked, so a facts file is never half-understood, but the chips decide.
        let gpus = reader.optionalValue("gpus") == nil ? [] : try reader.objectArray("gpus")
        for var g in gpus {
            _ = try g.int("index")
            _ = try g.string("uuid")
            let serial = try g.string("serial")
            _ = try g.string("model")
            guard serials.contains(serial) else { throw AttestError(.invalidDocument, "GPU serial \(serial) is not among the chips", at: g.path(of: "serial")) }
            try g.finish()
        }
        if var host = try reader.optionalObject("host") {
            for key in ["dmiProductSerial", "dmiProductName", "dmiBoardName", "deviceTreeSerial", "deviceTreeModel", "dmiVendor"] {
                _ = try host.optionalString(key)
            }
            try host.finish()
        }
        try reader.finish()
        self.chips = chips
        self.inUse = nil
    }

    private static func chip(_ c: inout JSONObjectReader) throws(AttestError) -> Manifest.Chip {
        let vendor = try DocumentFields.slug(&c, "vendor")
        let model = try c.string("model")
        let serial = try c.string("serial")
        guard DocumentFields.isSerial(serial) else { throw AttestError(.invalidDocument, "\"\(serial)\" is not a serial number", at: c.path(of: "serial")) }
        return Manifest.Chip(vendor: vendor, model: model, serial: serial)
    }

    public static func read(_ path: String, region: String? = nil) throws(AttestError) -> DeviceFacts {
        let input = try NamedInput.read(path)
        do throws(AttestError) {
            return try DeviceFacts(json: JSONParser.parse(input.bytes), region: region)
        } catch {
            throw AttestError(.usage, "bad device facts: \(error.description)").inFile(input.name)
        }
    }

    public var json: JSONValue {
        [
            "region": .string(region),
            "chips": .array(chips.map { ["vendor": .string($0.vendor), "model": .string($0.model), "serial": .string($0.serial)] }),
        ]
    }
}

/// The job a device is asked to run: a workload class and, optionally, the model file's digest.
public struct JobRequest: Sendable, Equatable {
    public var workload: String
    /// `sha256:<hex>` of the model file.
    public var modelDigest: String?

    public init(workload: String, modelDigest: String? = nil) {
        self.workload = workload
        self.modelDigest = modelDigest
    }
}
