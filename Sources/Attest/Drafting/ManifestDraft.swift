import AttestCrypto

/// What `attest manifest new` is told: issuer, chips, region, workloads and validity.
///
/// `document(now:)` guarantees a `Manifest` whose canonical JSON `Manifest(json:)` accepts unchanged.
/// A fleet batch uses one draft as the template for every row.
public struct ManifestDraft: Sendable {
    public var issuer: String
    public var chips: [Manifest.Chip]
    public var region: String
    public var workloads: [Manifest.Workload]
    /// Validity length from `notBefore`.
    public var days: Int
    /// Start of validity; nil means now.
    public var notBefore: Timestamp?
    /// Issue time; nil means now.
    public var issuedAt: Timestamp?
    /// The rollback counter: reissue with a higher number to supersede earlier manifests for the same chips.
    public var sequence: Int
    /// nil means a new random UUID.
    public var id: String?

    /// The longest validity the format allows (a root's `maxManifestDays` is at most this).
    public static let maxDays = 3650

    public init(issuer: String, chips: [Manifest.Chip] = [], region: String = "", workloads: [Manifest.Workload] = [],
                days: Int, notBefore: Timestamp? = nil, issuedAt: Timestamp? = nil, sequence: Int = 1, id: String? = nil) {
        self.issuer = issuer
        self.chips = chips
        self.region = region
        self.workloads = workloads
        self.days = days
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.sequence = sequence
        self.id = id
    }

    /// Pins a model file to a listed workload class: its streamed SHA-256 joins the class's model list.
    /// The class must already be listed, so a misspelt class is an error rather than a new, separate grant.
    public mutating func pinModel(fileAt path: String, to workloadClass: String) throws(AttestError) {
        guard let index = workloads.firstIndex(where: { $0.workloadClass == workloadClass }) else {
            throw AttestError(.usage, "model file \(DraftInput.quoted(path)) is for workload class \(workloadClass), which is not among the workloads")
        }
        let digest = try DraftInput.digest(ofFileAt: path)
        if !workloads[index].models.contains(digest) { workloads[index].models.append(digest) }
    }

    public func document(now: Timestamp = .now()) throws(AttestError) -> Manifest {
        try checkedDocument(now: now).manifest
    }

    /// The manifest and its canonical payload bytes, from the one strict read-back check.
    func checkedDocument(now: Timestamp) throws(AttestError) -> (manifest: Manifest, payload: [UInt8]) {
        let issuer = try DraftInput.slug(issuer, what: "issuer")
        guard !chips.isEmpty else { throw AttestError(.usage, "at least one chip is needed") }
        var serials = Set<String>()
        for chip in chips {
            _ = try DraftInput.chip(vendor: chip.vendor, model: chip.model, serial: chip.serial)
            guard serials.insert(chip.serial).inserted else { throw AttestError(.usage, "chip serial \(chip.serial) is given twice") }
        }
        let region = try DraftInput.region(region)
        guard !workloads.isEmpty else { throw AttestError(.usage, "at least one workload is needed") }
        var classes = Set<String>()
        for workload in workloads {
            let cls = try DraftInput.workloadClass(workload.workloadClass)
            guard classes.insert(cls).inserted else { throw AttestError(.usage, "workload class \(cls) is given twice") }
            for digest in workload.models { _ = try DraftInput.modelDigest(digest) }
        }
        guard (0...Int(Int32.max)).contains(sequence) else {
            throw AttestError(.usage, "sequence must be between 0 and \(Int32.max), found \(sequence)")
        }
        let start = notBefore ?? now
        let manifestID: String
        if let id { manifestID = try DraftInput.manifestID(id) } else { manifestID = try ManifestID.random() }
        let manifest = Manifest(
            id: manifestID,
            issuer: issuer, sequence: sequence, issuedAt: issuedAt ?? now, notBefore: start,
            notAfter: try Lifetime.days(days).end(from: start, what: "notAfter", maxDays: Self.maxDays),
            chips: chips, region: region, workloads: workloads)
        return (manifest, try manifest.checkedPayload())
    }
}
