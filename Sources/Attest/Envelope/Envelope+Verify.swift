import AttestCrypto

/// The outcome of checking an envelope's signatures against a set of trusted keys.
public struct SignatureVerification: Sendable, Equatable {
    /// Distinct trusted keys with a valid signature, in the order first found.
    public let verifiedKeyIDs: [String]
    public let threshold: Int
    /// For each signature in the envelope, the trusted key that verified it, if any.
    public let signers: [String?]

    /// True when at least `threshold` distinct trusted keys signed, and the threshold is at least 1.
    public var meetsThreshold: Bool { threshold >= 1 && verifiedKeyIDs.count >= threshold }
}

extension Envelope {
    /// Checks every signature against `keys` (keyid → key). The keyid in a signature is only a hint: the
    /// matching key is tried first, then every other trusted key. Each distinct key counts once: distinct by
    /// its canonical SPKI, not by the id it is listed under, so one key under two ids is still one signer.
    public func verify(keys: [String: PublicKey], threshold: Int) -> SignatureVerification {
        let message = pae
        var verified: [String] = []
        var verifiedKeys: [PublicKey] = []
        var signers: [String?] = []
        signers.reserveCapacity(signatures.count)
        message.withUnsafeBytes { msg in
            for signature in signatures {
                let signer: String? = signature.bytes.withUnsafeBytes { sig in
                    if let hint = signature.keyID, let key = keys[hint], key.verify(signature: sig, message: msg) {
                        return hint
                    }
                    for (keyID, key) in keys where keyID != signature.keyID {
                        if key.verify(signature: sig, message: msg) { return keyID }
                    }
                    return nil
                }
                signers.append(signer)
                if let signer, let key = keys[signer], !verifiedKeys.contains(key) {
                    verifiedKeys.append(key)
                    verified.append(signer)
                }
            }
        }
        return SignatureVerification(verifiedKeyIDs: verified, threshold: threshold, signers: signers)
    }
}
