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

    /// Reads a facts file: `{"region": "MX", "chips": [{"vendor": "nvidia", "model": "H200", "serial": "…"}]}`.
    public init(json value: JSONValue) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        region = try reader.string("region")
        guard Region.isValid(region) else {
            throw AttestError(.invalidDocument, "\"\(region)\" is not an ISO 3166 region code", at: reader.path(of: "region"))
        }
        var chips: [Manifest.Chip] = []
        var serials = Set<String>()
        for var c in try reader.objectArray("chips") {
            let vendor = try DocumentFields.slug(&c, "vendor")
            let model = try c.string("model")
            let serial = try c.string("serial")
            guard DocumentFields.isSerial(serial) else { throw AttestError(.invalidDocument, "\"\(serial)\" is not a serial number", at: c.path(of: "serial")) }
            guard serials.insert(serial).inserted else { throw AttestError(.invalidDocument, "serial \(serial) is listed twice", at: c.path(of: "serial")) }
            try c.finish()
            chips.append(Manifest.Chip(vendor: vendor, model: model, serial: serial))
        }
        try reader.finish()
        self.chips = chips
        self.inUse = nil
    }

    public static func read(_ path: String) throws(AttestError) -> DeviceFacts {
        let input = try NamedInput.read(path)
        do throws(AttestError) {
            return try DeviceFacts(json: JSONParser.parse(input.bytes))
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
