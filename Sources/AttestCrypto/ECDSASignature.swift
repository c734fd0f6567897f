internal import COpenSSL

/// Conversion between the raw `r || s` form (IEEE P1363, used by some DSSE examples and JOSE) and the
/// strict DER form attest signs and verifies.
public enum ECDSASignature {
    public static func der(fromRaw raw: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard raw.count == 64 || raw.count == 96 else {
            throw CryptoError(.invalidSignature, "raw ECDSA signature must be 64 or 96 bytes, found \(raw.count)", drainingQueue: false)
        }
        let half = raw.count / 2
        guard let sig = ECDSA_SIG_new() else { throw CryptoError(.openSSL, "cannot allocate an ECDSA signature") }
        defer { ECDSA_SIG_free(sig) }
        let r = raw[0..<half].withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32(half), nil) }
        let s = raw[half...].withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32(half), nil) }
        guard let r, let s, ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r); BN_free(s)
            throw CryptoError(.openSSL, "cannot build an ECDSA signature")
        }
        let length = i2d_ECDSA_SIG(sig, nil)
        guard length > 0 else { throw CryptoError(.openSSL, "cannot encode an ECDSA signature") }
        var out = [UInt8](repeating: 0, count: Int(length))
        _ = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(sig, &cursor)
        }
        return out
    }
}
