import AttestCrypto

/// `attest sign`: wraps a draft payload in a new envelope, or adds a signature to an existing one.
public enum DraftSigning {
    /// Signs `input` (draft payload JSON, or an envelope of the same type) with `key`.
    ///
    /// A draft is parsed strictly and re-written in canonical form before signing, so every signer of
    /// a document signs the same bytes. An envelope keeps its payload bytes untouched.
    public static func sign(_ input: [UInt8], as type: PayloadType, with key: PrivateKey) throws(AttestError) -> Envelope {
        let value = try JSONParser.parse(input, limits: .envelope)
        var envelope: Envelope
        if Self.looksLikeEnvelope(value) {
            envelope = try Envelope(json: value)
            guard envelope.payloadType == type.rawValue else {
                throw AttestError(.invalidEnvelope, "envelope payloadType is \(envelope.payloadType), not \(type.rawValue)")
            }
            let payload = try JSONParser.parse(envelope.payload)
            guard CanonicalJSON.encode(payload) == envelope.payload else {
                throw AttestError(.invalidDocument, "envelope payload is not in canonical form")
            }
            try DocumentValidation.validate(payload, as: type)
        } else {
            guard case .object = value else {
                throw AttestError(.invalidDocument, "a draft must be a JSON object", at: "$")
            }
            try DocumentValidation.validate(value, as: type)
            envelope = Envelope(payloadType: type.rawValue, payload: CanonicalJSON.encode(value))
        }
        try envelope.sign(with: key)
        return envelope
    }

    static func looksLikeEnvelope(_ value: JSONValue) -> Bool {
        guard case .object(let object) = value else { return false }
        return object["payloadType"] != nil && object["signatures"] != nil
    }
}

/// Checks that a payload is a valid document of its type before anyone signs it: a draft with an
/// unknown member, a bad region or a threshold of 0 never becomes a signed document.
public enum DocumentValidation {
    public static func validate(_ value: JSONValue, as type: PayloadType) throws(AttestError) {
        switch type {
        case .root: _ = try TrustRoot(json: value)
        case .delegation: _ = try Delegation(json: value)
        case .manifest: _ = try Manifest(json: value)
        case .revocation: _ = try Revocation(json: value)
        case .receipt: _ = try Receipt(json: value)
        }
    }
}
