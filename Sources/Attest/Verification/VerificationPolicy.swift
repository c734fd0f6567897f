/// One verification rule: a small value with a stable id that looks at the prepared context and says
/// pass, fail or skip. Adding a check is adding one type and listing it in `standard`.
public protocol VerificationPolicy: Sendable {
    var id: CheckID { get }
    func evaluate(_ context: VerificationContext) -> CheckOutcome
}

/// The bundled set of policies every verification runs, in report order.
public enum VerificationPolicies {
    public static let standard: [any VerificationPolicy] = [
        EnvelopeFormatPolicy(),
        RootSignaturePolicy(),
        RootExpiryPolicy(),
        DelegationSignaturePolicy(),
        DelegationExpiryPolicy(),
        DelegationRevokedPolicy(),
        DelegationRollbackPolicy(),
        ManifestSignaturePolicy(),
        ManifestScopePolicy(),
        ManifestValidityPolicy(),
        ManifestRevokedPolicy(),
        RevocationFreshnessPolicy(),
        ManifestRollbackPolicy(),
        RegionDeniedPolicy(),
        DeviceChipPolicy(),
        DeviceRegionPolicy(),
        JobWorkloadPolicy(),
        JobModelPolicy(),
    ]
}
