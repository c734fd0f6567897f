import AttestCrypto

/// A deployment manifest: which chips may run which workloads in which region, and when
/// (payload `application/vnd.attest.manifest+json`).
///
/// Guarantees after `init(json:)`: strict members only; id is a lowercase UUID; issuer a slug;
/// notBefore < notAfter; chips non-empty with distinct serials; region an ISO 3166 code; workload classes
/// distinct slugs with `sha256:<hex>` model digests.
public struct Manifest: Sendable, Equatable {
    public struct Chip: Sendable, Hashable {
        public var vendor: String
        public var model: String
        public var serial: String

        public init(vendor: String, model: String, serial: String) {
            self.vendor = vendor
            self.model = model
            self.serial = serial
        }
    }

    public struct Workload: Sendable, Equatable {
        public var workloadClass: String
        /// Digests of the models allowed; empty allows any model of the class.
        public var models: [String]

        public init(workloadClass: String, models: [String] = []) {
            self.workloadClass = workloadClass
            self.models = models
        }
    }

    public var id: String
    public var issuer: String
    public var sequence: Int
    public var issuedAt: Timestamp
    public var notBefore: Timestamp
    public var notAfter: Timestamp
    public var chips: [Chip]
    public var region: String
    public var workloads: [Workload]

    public init(id: String, issuer: String, sequence: Int, issuedAt: Timestamp, notBefore: Timestamp, notAfter: Timestamp,
                chips: [Chip], region: String, workloads: [Workload]) {
        self.id = id
        self.issuer = issuer
        self.sequence = sequence
        self.issuedAt = issuedAt
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.chips = chips
        self.region = region
        self.workloads = workloads
    }

    /// The validity length in days, rounded up.
    public var validityDays: Int64 { (notAfter.seconds - notBefore.seconds + 86_399) / 86_400 }

    public init(json value: JSONValue) throws(AttestError) {
        var reader = try JSONObjectReader(value)
        id = try reader.string("id")
        guard DocumentFields.isUUID(id) else { throw DocumentFields.fail("id must be a lowercase UUID, found \"\(id)\"", reader.path(of: "id")) }
        issuer = try DocumentFields.slug(&reader, "issuer")
        sequence = try DocumentFields.positive(&reader, "sequence", min: 0, max: Int64(Int32.max))
        issuedAt = try DocumentFields.time(&reader, "issuedAt")
        notBefore = try DocumentFields.time(&reader, "notBefore")
        notAfter = try DocumentFields.time(&reader, "notAfter")
        guard notBefore < notAfter else {
            throw DocumentFields.fail("notAfter \(notAfter) is not after notBefore \(notBefore)", reader.path(of: "notAfter"))
        }
        let chipPath = reader.path(of: "chips")
        let chipReaders = try reader.objectArray("chips")
        guard !chipReaders.isEmpty else { throw DocumentFields.fail("chips must not be empty", chipPath) }
        var chips: [Chip] = []
        var serials = Set<String>()
        for var c in chipReaders {
            let vendor = try DocumentFields.slug(&c, "vendor")
            let model = try c.string("model")
            guard !model.isEmpty, model.utf8.count <= 128, !model.unicodeScalars.contains(where: { TerminalText.isUnsafe($0, keepNewlines: false) }) else {
                throw DocumentFields.fail("model must be 1 to 128 characters, none of them a control character", c.path(of: "model"))
            }
            let serial = try c.string("serial")
            guard DocumentFields.isSerial(serial) else { throw DocumentFields.fail("\"\(serial)\" is not a serial number", c.path(of: "serial")) }
            guard serials.insert(serial).inserted else { throw DocumentFields.fail("serial \(serial) is listed twice", c.path(of: "serial")) }
            try c.finish()
            chips.append(Chip(vendor: vendor, model: model, serial: serial))
        }
        self.chips = chips
        region = try reader.string("region")
        guard Region.isValid(region) else {
            throw DocumentFields.fail("\"\(region)\" is not an ISO 3166-1 alpha-2 or ISO 3166-2 code", reader.path(of: "region"))
        }
        let workloadPath = reader.path(of: "workloads")
        let workloadReaders = try reader.objectArray("workloads")
        guard !workloadReaders.isEmpty else { throw DocumentFields.fail("workloads must not be empty", workloadPath) }
        var workloads: [Workload] = []
        var classes = Set<String>()
        for var w in workloadReaders {
            let cls = try DocumentFields.slug(&w, "class")
            guard classes.insert(cls).inserted else { throw DocumentFields.fail("class \(cls) is listed twice", w.path(of: "class")) }
            let models = try DocumentFields.list(&w, "models", nonEmpty: false, what: "a sha256:<64 hex> digest", DocumentFields.isDigest)
            try w.finish()
            workloads.append(Workload(workloadClass: cls, models: models))
        }
        self.workloads = workloads
        try reader.finish()
    }

    public var json: JSONValue {
        [
            "id": .string(id),
            "issuer": .string(issuer),
            "sequence": DocumentFields.int(sequence),
            "issuedAt": .string(issuedAt.description),
            "notBefore": .string(notBefore.description),
            "notAfter": .string(notAfter.description),
            "chips": .array(chips.map { ["vendor": .string($0.vendor), "model": .string($0.model), "serial": .string($0.serial)] }),
            "region": .string(region),
            "workloads": .array(workloads.map { ["class": .string($0.workloadClass), "models": DocumentFields.strings($0.models)] }),
        ]
    }

    public func workload(_ cls: String) -> Workload? { workloads.first { $0.workloadClass == cls } }
}
