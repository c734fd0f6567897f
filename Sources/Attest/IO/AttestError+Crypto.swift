import AttestCrypto

extension AttestError {
    /// Carries a crypto-layer failure into this layer's one error type.
    public init(_ error: CryptoError) {
        let code: Code
        switch error.code {
        case .invalidKey, .passphraseRequired, .wrongPassphrase, .invalidSignature: code = .invalidKey
        case .unsupportedAlgorithm: code = .unsupportedAlgorithm
        case .invalidInput: code = .usage
        case .io: code = .io
        default: code = .crypto
        }
        self.init(code, error.description)
    }
}
