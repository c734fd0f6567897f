internal import COpenSSL

/// Bare OpenSSL verification, for benchmarks that put attest's numbers next to OpenSSL's own:
/// the same EVP calls a C program would make, with nothing of attest's around them.
public enum OpenSSLBaseline {
    /// Verifies `signature` over `message` `iterations` times; returns how many verified.
    public static func verifyLoop(key: PublicKey, signature: [UInt8], message: [UInt8], iterations: Int) -> Int {
        var good = 0
        signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                for _ in 0..<iterations {
                    guard let ctx = EVP_MD_CTX_new() else { continue }
                    var pctx: OpaquePointer? = nil
                    if EVP_DigestVerifyInit(ctx, &pctx, key.algorithm.digest, nil, key.key.pointer) == 1 {
                        if case .rsa = key.algorithm { _ = attest_set_rsa_pss(pctx) }
                        if EVP_DigestVerify(ctx, sig.baseAddress, sig.count, msg.baseAddress, msg.count) == 1 { good += 1 }
                    }
                    EVP_MD_CTX_free(ctx)
                }
            }
        }
        return good
    }
}
