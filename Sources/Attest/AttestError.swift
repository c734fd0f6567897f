/// The one error type of the `Attest` layer: something that could not be read, parsed or used.
///
/// Trust decisions are not errors: verification returns a result with failed checks. Errors are for input
/// that cannot be parsed or used at all. Equality is on `code`, so new codes never break callers.
public struct AttestError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidJSON
            case invalidDocument
            case invalidEnvelope
            case invalidKey
            case unsupportedAlgorithm
            case signatureFailed
            case io
            case usage
            case environment
            case crypto
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Bytes that are not strict JSON (syntax, UTF-8, duplicates, depth, size).
        public static let invalidJSON = Code(.invalidJSON)
        /// Valid JSON that is not a valid document of the expected kind (unknown or missing members, types).
        public static let invalidDocument = Code(.invalidDocument)
        /// Not a DSSE envelope, or an envelope of an unexpected payloadType.
        public static let invalidEnvelope = Code(.invalidEnvelope)
        /// A key that cannot be read or used (bad PEM, bad key dict, keyid mismatch, wrong passphrase).
        public static let invalidKey = Code(.invalidKey)
        /// An algorithm, key type or scheme this version does not support.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// Signatures did not verify where they were required to.
        public static let signatureFailed = Code(.signatureFailed)
        /// A file that cannot be read or written.
        public static let io = Code(.io)
        /// Arguments that do not make sense together.
        public static let usage = Code(.usage)
        /// The machine, not the input, is at fault (state directory, OpenSSL, device probe).
        public static let environment = Code(.environment)
        /// OpenSSL failed on input that looked valid.
        public static let crypto = Code(.crypto)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// What went wrong, for a person: one line, no trailing period.
    public let reason: String
    /// Where: a file path, a JSON path, or both ("draft.json: $.keys").
    public var location: String?

    public init(_ code: Code, _ reason: String, at location: String? = nil) {
        self.code = code
        self.reason = reason
        self.location = location
    }

    /// The same error, said to be in `file` (prefixing any location already set).
    public func inFile(_ file: String) -> AttestError {
        var copy = self
        copy.location = location.map { "\(file): \($0)" } ?? file
        return copy
    }

    public var description: String {
        guard let location else { return reason }
        return "\(location): \(reason)"
    }

    public static func == (lhs: AttestError, rhs: AttestError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
