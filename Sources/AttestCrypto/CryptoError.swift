internal import COpenSSL

/// The one error type of `AttestCrypto`. It carries the whole OpenSSL error queue as it was when the
/// failure happened; the queue is rendered to text only when the error is printed.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidKey, passphraseRequired, wrongPassphrase, unsupportedAlgorithm
            case invalidSignature, invalidInput, io, openSSL, authenticationFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Key bytes that do not parse as a key of a supported kind.
        public static let invalidKey = Code(.invalidKey)
        /// An encrypted private key was given without a passphrase.
        public static let passphraseRequired = Code(.passphraseRequired)
        /// An encrypted private key did not decrypt under the passphrase given.
        public static let wrongPassphrase = Code(.wrongPassphrase)
        /// A key type, curve or size this library does not use.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// Signature bytes that are not of the form the scheme needs (for conversions, not verification).
        public static let invalidSignature = Code(.invalidSignature)
        /// Arguments out of range (a passphrase with a NUL byte, an empty message where one is needed).
        public static let invalidInput = Code(.invalidInput)
        /// A file could not be read.
        public static let io = Code(.io)
        /// OpenSSL failed where valid input should succeed (allocation, provider, internal error).
        public static let openSSL = Code(.openSSL)
        /// Sealed data did not authenticate: a wrong key, or a changed ciphertext, tag, nonce or associated data.
        public static let authenticationFailed = Code(.authenticationFailed)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let reason: String
    /// The packed OpenSSL error codes drained from the thread's queue, oldest first.
    public let openSSLErrors: [UInt]

    init(_ code: Code, _ reason: String, drainingQueue: Bool = true) {
        self.code = code
        self.reason = reason
        self.openSSLErrors = drainingQueue ? CryptoError.drainQueue() : []
    }

    /// Empties the thread's OpenSSL error queue, so an old failure never shows up in a later error.
    static func drainQueue() -> [UInt] {
        var codes: [UInt] = []
        while true {
            let e = ERR_get_error()
            if e == 0 { break }
            if codes.count < 16 { codes.append(UInt(e)) }
        }
        return codes
    }

    /// The OpenSSL queue as text, e.g. `error:1C800064:Provider routines::bad decrypt`.
    public var openSSLDetails: [String] {
        openSSLErrors.map { code in
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(UInt(code), &buffer, buffer.count)
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    public var description: String {
        guard code == .openSSL, let last = openSSLDetails.last else { return reason }
        return "\(reason) (\(last))"
    }

    public static func == (lhs: CryptoError, rhs: CryptoError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
