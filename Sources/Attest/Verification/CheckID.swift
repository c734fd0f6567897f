/// The stable ids of the verification checks, as DESIGN.md lists them. Scripts and auditors match on
/// these strings: they never change meaning.
public enum CheckID: String, CaseIterable, Sendable, Codable {
    case envelopeFormat = "envelope.format"
    case rootSignature = "root.signature"
    case rootExpiry = "root.expiry"
    case delegationSignature = "delegation.signature"
    case delegationExpiry = "delegation.expiry"
    case delegationRevoked = "delegation.revoked"
    /// The delegation is not older than the newest version of it this device accepted.
    case delegationRollback = "delegation.rollback"
    case manifestSignature = "manifest.signature"
    case manifestScope = "manifest.scope"
    case manifestValidity = "manifest.validity"
    case manifestRevoked = "manifest.revoked"
    /// No revocation list is dated in the future, and the root's list is as fresh as the root's policy asks.
    case revocationFreshness = "revocation.freshness"
    case manifestRollback = "manifest.rollback"
    case regionDenied = "region.denied"
    case deviceChip = "device.chip"
    case deviceRegion = "device.region"
    case jobWorkload = "job.workload"
    case jobModel = "job.model"
}

/// One check's outcome: pass, fail, or skip (the check does not apply), with a detail a person can act on.
public struct CheckResult: Sendable, Equatable {
    public enum Status: String, Sendable { case pass, fail, skip }

    public let id: CheckID
    public let status: Status
    public let detail: String

    public init(id: CheckID, status: Status, detail: String) {
        self.id = id
        self.status = status
        self.detail = detail
    }

    public var json: JSONValue {
        ["id": .string(id.rawValue), "status": .string(status.rawValue), "detail": .string(detail)]
    }
}

/// What a policy says about one input: the check's status and why.
public enum CheckOutcome: Sendable, Equatable {
    case pass(String)
    case fail(String)
    case skip(String)
}
