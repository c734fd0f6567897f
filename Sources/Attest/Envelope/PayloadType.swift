/// The payload types attest signs, with the document kind each names.
public enum PayloadType: String, CaseIterable, Sendable {
    case root = "application/vnd.attest.root+json"
    case delegation = "application/vnd.attest.delegation+json"
    case manifest = "application/vnd.attest.manifest+json"
    case revocation = "application/vnd.attest.revocation+json"
    case receipt = "application/vnd.attest.receipt+json"

    /// The short name used by `attest sign --type` and in output.
    public var kind: String {
        switch self {
        case .root: "root"
        case .delegation: "delegation"
        case .manifest: "manifest"
        case .revocation: "revocation"
        case .receipt: "receipt"
        }
    }

    public init?(kind: String) {
        guard let match = PayloadType.allCases.first(where: { $0.kind == kind }) else { return nil }
        self = match
    }
}
