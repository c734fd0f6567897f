import AttestCrypto

/// What `attest inspect` reports about an envelope: its type, digest, decoded payload, and for each
/// signature the hinted keyid, the algorithm, and which of the given keys verify it.
public struct EnvelopeInspection: Sendable {
    public struct SignatureReport: Sendable {
        public let keyIDHint: String?
        /// The algorithm of the key that verified it, or a guess from the signature's shape.
        public let algorithm: String
        /// Keys among those given that verify this signature.
        public let verifiedBy: [String]
    }

    public let envelope: Envelope
    public let kind: PayloadType?
    public let digest: String
    /// The payload as JSON, when it is strict JSON.
    public let payload: JSONValue?
    /// Why the payload is not strict JSON, when it is not.
    public let payloadProblem: String?
    /// Whether the payload bytes are exactly their RFC 8785 form.
    public let payloadIsCanonical: Bool
    public let signatures: [SignatureReport]
    public let keysGiven: Int

    public init(_ envelope: Envelope, keys: [PublicKey]) {
        self.envelope = envelope
        self.kind = PayloadType(rawValue: envelope.payloadType)
        self.digest = envelope.payloadDigest
        do {
            let value = try JSONParser.parse(envelope.payload)
            payload = value
            payloadProblem = nil
            payloadIsCanonical = CanonicalJSON.encode(value) == envelope.payload
        } catch {
            payload = nil
            payloadProblem = error.description
            payloadIsCanonical = false
        }
        let message = envelope.pae
        signatures = envelope.signatures.map { signature in
            let verifiers = keys.filter { $0.verify(signature: signature.bytes, message: message) }
            let algorithm = verifiers.first?.algorithm.name
                ?? keys.first(where: { $0.keyID == signature.keyID })?.algorithm.name
                ?? EnvelopeInspection.guessAlgorithm(signature.bytes)
            return SignatureReport(keyIDHint: signature.keyID, algorithm: algorithm, verifiedBy: verifiers.map(\.keyID))
        }
        keysGiven = keys.count
    }

    /// A guess from length and shape, marked as such, for signatures no given key explains.
    static func guessAlgorithm(_ sig: [UInt8]) -> String {
        if sig.count == 64 { return "ed25519? (64 bytes)" }
        if sig.count >= 8, sig.count <= 104, sig[0] == 0x30, Int(sig[1]) == sig.count - 2 { return "ecdsa? (DER)" }
        if [256, 384, 512].contains(sig.count) { return "rsa-pss? (\(sig.count * 8)-bit)" }
        return "unknown (\(sig.count) bytes)"
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("payloadType", .string(envelope.payloadType)),
            ("kind", kind.map { .string($0.kind) } ?? .null),
            ("digest", .string(digest)),
            ("payloadBytes", .number(JSONNumber(Int64(envelope.payload.count)))),
            ("canonical", .bool(payloadIsCanonical)),
        ]
        if let payload {
            members.append(("payload", payload))
        } else {
            members.append(("payloadProblem", .string(payloadProblem ?? "")))
        }
        members.append(("signatures", .array(signatures.map { report in
            .object(JSONObject(uniqueMembers: [
                ("keyid", report.keyIDHint.map { .string($0) } ?? .null),
                ("algorithm", .string(report.algorithm)),
                ("verifiedBy", .array(report.verifiedBy.map { .string($0) })),
            ]))
        })))
        members.append(("keysGiven", .number(JSONNumber(Int64(keysGiven)))))
        return .object(JSONObject(uniqueMembers: members))
    }
}
