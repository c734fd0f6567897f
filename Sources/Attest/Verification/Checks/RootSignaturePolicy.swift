/// `root.signature`: the root is signed by its threshold, and every rotation by its predecessor's too.
public struct RootSignaturePolicy: VerificationPolicy {
    public let id = CheckID.rootSignature
    public init() {}

    public func evaluate(_ c: VerificationContext) -> CheckOutcome { c.trust.rootOutcome }
}
